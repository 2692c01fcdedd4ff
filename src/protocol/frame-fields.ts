/**
 * The declarative table of RFC 6455 §5.2 frame fields.
 *
 * One table drives three things: the parser's trace annotations (every
 * `FieldStep` names a field of this table and one of its explanation keys),
 * the visualizer's bit diagram (`bitOffset`, `bitWidth`, `condition`) and its
 * hover text (`explanation`, `explanations`).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-------+-+-------------+-------------------------------+
 * |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 * |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 * |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 * | |1|2|3|       |K|             |                               |
 * +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 */

export type FrameFieldName =
  | "fin"
  | "rsv1"
  | "rsv2"
  | "rsv3"
  | "opcode"
  | "mask"
  | "payloadLength"
  | "extendedPayloadLength16"
  | "extendedPayloadLength64"
  | "maskingKey"
  | "payload";

/** When a field is present in a frame. */
export type FrameFieldCondition = "always" | "payloadLength=126" | "payloadLength=127" | "mask=1";

export interface FrameField {
  name: FrameFieldName;
  /** Short label for the bit diagram. */
  label: string;
  /**
   * Offset in bits from the first bit of the frame when every optional field
   * before it is absent. Use `frameLayout()` for the offsets in a given frame.
   */
  bitOffset: number;
  /** Width in bits; `null` for the payload (its length is the payload length field). */
  bitWidth: number | null;
  condition: FrameFieldCondition;
  rfcSection: string;
  /** Hover text for the field in general. */
  explanation: string;
  /** Hover text per explanation key `<name>.<variant>` used in trace steps. */
  explanations: Readonly<Record<string, string>>;
}

export const frameFields: readonly FrameField[] = [
  {
    name: "fin",
    label: "FIN",
    bitOffset: 0,
    bitWidth: 1,
    condition: "always",
    rfcSection: "RFC 6455 §5.2",
    explanation:
      "1 if this is the final fragment of a message. The first fragment may also be the final one.",
    explanations: {
      "fin.final": "FIN = 1: this frame ends its message (or is a whole message on its own).",
      "fin.more": "FIN = 0: more fragments of this message follow in continuation frames.",
    },
  },
  {
    name: "rsv1",
    label: "RSV1",
    bitOffset: 1,
    bitWidth: 1,
    condition: "always",
    rfcSection: "RFC 6455 §5.2, RFC 7692 §6",
    explanation:
      "Reserved for extensions. permessage-deflate uses it to mark the first frame of a compressed message.",
    explanations: {
      "rsv1.clear": "RSV1 = 0: no extension meaning.",
      "rsv1.compressed": "RSV1 = 1 with permessage-deflate negotiated: this message is compressed.",
      "rsv1.unexpected": "RSV1 = 1 but nothing was negotiated that defines it: protocol error.",
    },
  },
  {
    name: "rsv2",
    label: "RSV2",
    bitOffset: 2,
    bitWidth: 1,
    condition: "always",
    rfcSection: "RFC 6455 §5.2",
    explanation: "Reserved for extensions; must be 0 unless an extension defines it.",
    explanations: {
      "rsv2.clear": "RSV2 = 0.",
      "rsv2.unexpected": "RSV2 = 1 but no extension defines it: protocol error.",
    },
  },
  {
    name: "rsv3",
    label: "RSV3",
    bitOffset: 3,
    bitWidth: 1,
    condition: "always",
    rfcSection: "RFC 6455 §5.2",
    explanation: "Reserved for extensions; must be 0 unless an extension defines it.",
    explanations: {
      "rsv3.clear": "RSV3 = 0.",
      "rsv3.unexpected": "RSV3 = 1 but no extension defines it: protocol error.",
    },
  },
  {
    name: "opcode",
    label: "opcode",
    bitOffset: 4,
    bitWidth: 4,
    condition: "always",
    rfcSection: "RFC 6455 §5.2, §11.8",
    explanation:
      "How to interpret the payload: 0 continuation, 1 text, 2 binary, 8 close, 9 ping, A pong; the rest are reserved.",
    explanations: {
      "opcode.continuation": "0x0 continuation: the next fragment of the message in progress.",
      "opcode.text": "0x1 text: the payload (of the whole message) is UTF-8 text.",
      "opcode.binary": "0x2 binary: the payload is arbitrary bytes.",
      "opcode.close":
        "0x8 close: starts the closing handshake; optional 2-byte code + UTF-8 reason.",
      "opcode.ping": "0x9 ping: the peer must answer with a pong carrying the same payload.",
      "opcode.pong": "0xA pong: answer to a ping (or an unsolicited heartbeat).",
      "opcode.reserved-data": "0x3–0x7 are reserved for future non-control frames: protocol error.",
      "opcode.reserved-control": "0xB–0xF are reserved for future control frames: protocol error.",
    },
  },
  {
    name: "mask",
    label: "MASK",
    bitOffset: 8,
    bitWidth: 1,
    condition: "always",
    rfcSection: "RFC 6455 §5.1, §5.3",
    explanation:
      "1 if the payload is masked with a 4-byte key. Clients must mask every frame; servers must not.",
    explanations: {
      "mask.masked": "MASK = 1: a masking key follows; payload byte i is XORed with key[i % 4].",
      "mask.unmasked": "MASK = 0: the payload is sent as is.",
    },
  },
  {
    name: "payloadLength",
    label: "Payload len",
    bitOffset: 9,
    bitWidth: 7,
    condition: "always",
    rfcSection: "RFC 6455 §5.2",
    explanation:
      "0–125: the payload length. 126: a 16-bit length follows. 127: a 64-bit length follows.",
    explanations: {
      "payloadLength.direct": "0–125: this is the payload length itself.",
      "payloadLength.extended16": "126: the real length is in the next 2 bytes.",
      "payloadLength.extended64": "127: the real length is in the next 8 bytes.",
    },
  },
  {
    name: "extendedPayloadLength16",
    label: "Extended payload length (16)",
    bitOffset: 16,
    bitWidth: 16,
    condition: "payloadLength=126",
    rfcSection: "RFC 6455 §5.2",
    explanation: "Unsigned 16-bit payload length in network byte order, for 126–65535 bytes.",
    explanations: {
      "extendedPayloadLength16.value":
        "16-bit big-endian payload length (must be ≥ 126: minimal encoding).",
    },
  },
  {
    name: "extendedPayloadLength64",
    label: "Extended payload length (64)",
    bitOffset: 16,
    bitWidth: 64,
    condition: "payloadLength=127",
    rfcSection: "RFC 6455 §5.2",
    explanation:
      "Unsigned 64-bit payload length in network byte order (most significant bit 0), for ≥ 65536 bytes.",
    explanations: {
      "extendedPayloadLength64.value":
        "64-bit big-endian payload length (must be ≥ 65536, top bit 0).",
    },
  },
  {
    name: "maskingKey",
    label: "Masking-key",
    bitOffset: 16,
    bitWidth: 32,
    condition: "mask=1",
    rfcSection: "RFC 6455 §5.3",
    explanation:
      "4 random bytes chosen by the client for this frame. Masking stops a cache-poisoning attack on intermediaries (§10.3).",
    explanations: {
      "maskingKey.key": "The 32-bit masking key for this frame's payload.",
    },
  },
  {
    name: "payload",
    label: "Payload data",
    bitOffset: 16,
    bitWidth: null,
    condition: "always",
    rfcSection: "RFC 6455 §5.2",
    explanation: "Extension data followed by application data; its length is the payload length.",
    explanations: {
      "payload.empty": "No payload bytes.",
      "payload.text": "Text (UTF-8) bytes, unmasked if a key was given.",
      "payload.binary": "Binary bytes, unmasked if a key was given.",
      "payload.continuation": "The next piece of the fragmented message.",
      "payload.close": "Close body: 2-byte status code, then an optional UTF-8 reason.",
      "payload.ping": "Ping application data (≤ 125 bytes), to be echoed in the pong.",
      "payload.pong": "Pong application data.",
      "payload.compressed":
        "DEFLATE-compressed bytes (permessage-deflate); inflate after reassembly.",
    },
  },
];

/** The table indexed by name. */
export const frameFieldsByName: Readonly<Record<FrameFieldName, FrameField>> = Object.fromEntries(
  frameFields.map((field) => [field.name, field]),
) as Record<FrameFieldName, FrameField>;

/** Text for an explanation key used in a trace step (`"opcode.text"`, `"need-more"`, `"error.WS_ERR_…"`). */
export function explain(key: string): string | undefined {
  const name = key.split(".")[0] as FrameFieldName;
  const field = frameFieldsByName[name];
  if (field) return field.explanations[key] ?? field.explanation;
  return undefined;
}

export interface FieldPlacement {
  name: FrameFieldName;
  /** Bit offset from the start of the frame. */
  bitOffset: number;
  /** Width in bits (payload: 8 × payload length). */
  bitWidth: number;
}

/**
 * Where every present field sits in a frame with the given 7-bit length
 * field, MASK bit and payload length: evaluates the table's conditions.
 */
export function frameLayout(frame: {
  payloadLength7: number;
  masked: boolean;
  payloadLength: number;
}): FieldPlacement[] {
  const placements: FieldPlacement[] = [];
  let cursor = 0;
  for (const field of frameFields) {
    const present =
      field.condition === "always" ||
      (field.condition === "payloadLength=126" && frame.payloadLength7 === 126) ||
      (field.condition === "payloadLength=127" && frame.payloadLength7 === 127) ||
      (field.condition === "mask=1" && frame.masked);
    if (!present) continue;
    const bitWidth = field.bitWidth ?? frame.payloadLength * 8;
    placements.push({ name: field.name, bitOffset: cursor, bitWidth });
    cursor += bitWidth;
  }
  return placements;
}
