/**
 * permessage-deflate (RFC 7692) awareness: the Sec-WebSocket-Extensions
 * header grammar (RFC 6455 §9.1), the extension's four parameters (§7.1),
 * and inflating a compressed message for display (§7.2.2).
 *
 * RSV1 rules (set on the first frame of a compressed data message only) are
 * enforced by the frame parser when `extensions.permessageDeflate` is on.
 */

export interface ExtensionParam {
  name: string;
  /** `true` for a parameter without a value. */
  value: string | true;
}

export interface ExtensionOffer {
  name: string;
  params: ExtensionParam[];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted && char === "\\" && i + 1 < text.length) {
      current += char + text[++i];
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  if (quoted) throw new SyntaxError("Unterminated quoted string in Sec-WebSocket-Extensions");
  parts.push(current);
  return parts;
}

/**
 * Parses a Sec-WebSocket-Extensions value (join repeated header lines with
 * ", " first). Throws SyntaxError on a malformed header (answer 400).
 */
export function parseExtensionsHeader(value: string): ExtensionOffer[] {
  const offers: ExtensionOffer[] = [];
  for (const rawExtension of splitOutsideQuotes(value, ",")) {
    if (rawExtension.trim() === "") continue; // HTTP list syntax allows empty elements
    const [rawName, ...rawParams] = splitOutsideQuotes(rawExtension, ";");
    const name = rawName.trim();
    if (!TOKEN.test(name)) throw new SyntaxError(`Invalid extension name "${name}"`);
    const params: ExtensionParam[] = [];
    for (const rawParam of rawParams) {
      const equals = rawParam.indexOf("=");
      const paramName = (equals < 0 ? rawParam : rawParam.slice(0, equals)).trim();
      if (!TOKEN.test(paramName))
        throw new SyntaxError(`Invalid extension parameter "${paramName}"`);
      if (equals < 0) {
        params.push({ name: paramName, value: true });
        continue;
      }
      let paramValue = rawParam.slice(equals + 1).trim();
      if (paramValue.startsWith('"')) {
        if (paramValue.length < 2 || !paramValue.endsWith('"'))
          throw new SyntaxError("Invalid quoted parameter value");
        paramValue = paramValue.slice(1, -1).replace(/\\(.)/g, "$1");
      }
      // §9.1: a quoted value must still be a token once unquoted.
      if (!TOKEN.test(paramValue))
        throw new SyntaxError(`Invalid value for extension parameter "${paramName}"`);
      params.push({ name: paramName, value: paramValue });
    }
    offers.push({ name, params });
  }
  return offers;
}

/** Formats offers back into a header value: `permessage-deflate; client_max_window_bits, x-foo`. */
export function formatExtensionsHeader(offers: readonly ExtensionOffer[]): string {
  return offers
    .map((offer) =>
      [
        offer.name,
        ...offer.params.map((param) =>
          param.value === true ? param.name : `${param.name}=${param.value}`,
        ),
      ].join("; "),
    )
    .join(", ");
}

export const PERMESSAGE_DEFLATE = "permessage-deflate";

/** The four RFC 7692 §7.1 parameters. */
export interface PerMessageDeflateParams {
  /** The server will not reuse its compression context between messages. */
  serverNoContextTakeover: boolean;
  /** The client will not reuse its compression context between messages. */
  clientNoContextTakeover: boolean;
  /** LZ77 window bits the server may use (8–15). */
  serverMaxWindowBits?: number;
  /**
   * LZ77 window bits the client may use (8–15). In an offer, `true` (no
   * value) only says the client supports the parameter.
   */
  clientMaxWindowBits?: number | true;
}

/**
 * Validates permessage-deflate parameters (§7.1): each at most once, no
 * unknown ones, window bits 8–15, and in a response client_max_window_bits
 * must have a value. Throws SyntaxError; a server declines such an offer, a
 * client fails the connection on such a response.
 */
export function parsePerMessageDeflateParams(
  params: readonly ExtensionParam[],
  from: "offer" | "response",
): PerMessageDeflateParams {
  const result: PerMessageDeflateParams = {
    serverNoContextTakeover: false,
    clientNoContextTakeover: false,
  };
  const seen = new Set<string>();
  const windowBits = (param: ExtensionParam): number => {
    if (param.value === true || !/^(8|9|1[0-5])$/.test(param.value)) {
      throw new SyntaxError(`${param.name} must be 8–15`);
    }
    return Number(param.value);
  };
  for (const param of params) {
    if (seen.has(param.name)) throw new SyntaxError(`Duplicate parameter ${param.name}`);
    seen.add(param.name);
    switch (param.name) {
      case "server_no_context_takeover":
      case "client_no_context_takeover":
        if (param.value !== true) throw new SyntaxError(`${param.name} takes no value`);
        if (param.name === "server_no_context_takeover") result.serverNoContextTakeover = true;
        else result.clientNoContextTakeover = true;
        break;
      case "server_max_window_bits":
        result.serverMaxWindowBits = windowBits(param);
        break;
      case "client_max_window_bits":
        if (param.value === true && from === "offer") result.clientMaxWindowBits = true;
        else result.clientMaxWindowBits = windowBits(param);
        break;
      default:
        throw new SyntaxError(`Unknown permessage-deflate parameter ${param.name}`);
    }
  }
  return result;
}

/** `permessage-deflate; server_no_context_takeover; client_max_window_bits=10`. */
export function formatPerMessageDeflate(params: PerMessageDeflateParams): string {
  const list: ExtensionParam[] = [];
  if (params.serverNoContextTakeover)
    list.push({ name: "server_no_context_takeover", value: true });
  if (params.clientNoContextTakeover)
    list.push({ name: "client_no_context_takeover", value: true });
  if (params.serverMaxWindowBits !== undefined)
    list.push({ name: "server_max_window_bits", value: String(params.serverMaxWindowBits) });
  if (params.clientMaxWindowBits !== undefined) {
    list.push({
      name: "client_max_window_bits",
      value: params.clientMaxWindowBits === true ? true : String(params.clientMaxWindowBits),
    });
  }
  return formatExtensionsHeader([{ name: PERMESSAGE_DEFLATE, params: list }]);
}

/**
 * Server side: picks the first acceptable permessage-deflate offer from a
 * request's Sec-WebSocket-Extensions value and returns the parameters to
 * answer with (echoing the offer's no_context_takeover and
 * server_max_window_bits), or undefined to decline.
 */
export function negotiatePerMessageDeflate(
  requestHeader: string,
): PerMessageDeflateParams | undefined {
  let offers: ExtensionOffer[];
  try {
    offers = parseExtensionsHeader(requestHeader);
  } catch {
    return undefined;
  }
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    try {
      const params = parsePerMessageDeflateParams(offer.params, "offer");
      const response: PerMessageDeflateParams = {
        serverNoContextTakeover: params.serverNoContextTakeover,
        clientNoContextTakeover: params.clientNoContextTakeover,
      };
      if (params.serverMaxWindowBits !== undefined)
        response.serverMaxWindowBits = params.serverMaxWindowBits;
      return response;
    } catch {
      continue; // §7.1: decline an offer with invalid parameters, try the next one.
    }
  }
  return undefined;
}

/** §7.2.2: the 4 octets the sender removed from the end of a compressed message. */
const SYNC_FLUSH_TAIL = new Uint8Array([0x00, 0x00, 0xff, 0xff]);
/**
 * An empty final stored block (BFINAL=1, BTYPE=00, LEN=0). After the sync
 * flush tail the stream is byte-aligned, so this ends the DEFLATE stream and
 * DecompressionStream finishes instead of waiting for more input.
 */
const FINAL_EMPTY_BLOCK = new Uint8Array([0x01, 0x00, 0x00, 0xff, 0xff]);

async function runDecompression(
  input: Uint8Array,
): Promise<{ output: Uint8Array; failed: boolean }> {
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  writer.write(input as Uint8Array<ArrayBuffer>).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  let failed = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      total += value.length;
    }
  } catch {
    failed = true;
  }
  const output = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    output.set(part, at);
    at += part.length;
  }
  return { output, failed };
}

/**
 * Inflates the payload of one compressed message (frames already
 * reassembled) with `DecompressionStream("deflate-raw")`, in browsers and
 * Node 24 alike: appends 00 00 ff ff (§7.2.2) and an empty final block.
 *
 * Each call starts a fresh LZ77 window, so this decodes a message exactly
 * when it does not refer to earlier ones: the first message of a direction,
 * or every message once `*_no_context_takeover` was negotiated.
 * A message whose last block has BFINAL set (§7.2.3.4) is accepted too.
 * Throws TypeError when the bytes are not valid DEFLATE data.
 */
export async function inflateMessage(compressed: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array(
    compressed.length + SYNC_FLUSH_TAIL.length + FINAL_EMPTY_BLOCK.length,
  );
  input.set(compressed);
  input.set(SYNC_FLUSH_TAIL, compressed.length);
  input.set(FINAL_EMPTY_BLOCK, compressed.length + SYNC_FLUSH_TAIL.length);
  const first = await runDecompression(input);
  if (!first.failed) return first.output;
  // The message may already end with a BFINAL block; the tail is then trailing junk.
  const second = await runDecompression(compressed);
  if (!second.failed || second.output.length > 0) return second.output;
  throw new TypeError("Invalid DEFLATE data in compressed message");
}
