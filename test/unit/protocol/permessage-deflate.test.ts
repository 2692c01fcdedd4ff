import { afterEach, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import {
  formatExtensionsHeader,
  formatPerMessageDeflate,
  inflateMessage,
  negotiatePerMessageDeflate,
  parseExtensionsHeader,
  parsePerMessageDeflateParams,
} from "../../../src/protocol/permessage-deflate.ts";
import { parseFrames } from "../../../src/protocol/frame-parser.ts";
import { concatBytes } from "../../../src/protocol/hex.ts";
import { findHeadEnd, getHeader, parseHttpHead } from "../../../src/protocol/http-handshake.ts";
import { chunksOf, hex, startTapProxy, type TapProxy } from "./helpers.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("permessage-deflate", () => {
  it("parses and inflates the RFC 7692 §7.2.3.1 example (c1 07 f2 48 cd c9 c9 07 00 → Hello)", async () => {
    const result = parseFrames(hex("c1 07 f2 48 cd c9 c9 07 00"), {
      role: "client",
      extensions: { permessageDeflate: true },
    });
    expect(result.frames[0]).toMatchObject({ rsv1: true, opcode: 1 });
    expect(result.messages[0]).toMatchObject({ type: "text", compressed: true });
    expect(text(await inflateMessage(result.messages[0].data))).toBe("Hello");
  });

  it("inflates a compressed message sent in two fragments (RSV1 on the first only)", async () => {
    const result = parseFrames(hex("41 03 f2 48 cd 80 04 c9 c9 07 00"), {
      role: "client",
      extensions: { permessageDeflate: true },
    });
    expect(result.error).toBeUndefined();
    expect(result.messages[0].frameIndices).toEqual([0, 1]);
    expect(text(await inflateMessage(result.messages[0].data))).toBe("Hello");
  });

  it("inflates a message compressed into a final (BFINAL) block, RFC 7692 §7.2.3.4", async () => {
    expect(text(await inflateMessage(hex("f3 48 cd c9 c9 07 00 00")))).toBe("Hello");
  });

  it("inflates the RFC 7692 §7.2.3.3 example with no compression (00 05 00 fa ff 48 65 6c 6c 6f 00)", async () => {
    expect(text(await inflateMessage(hex("00 05 00 fa ff 48 65 6c 6c 6f 00")))).toBe("Hello");
  });

  it("parses offers with parameters and quoted values, and formats them back", () => {
    const offers = parseExtensionsHeader(
      'permessage-deflate; client_max_window_bits; server_max_window_bits="10", permessage-deflate, x-foo',
    );
    expect(offers).toEqual([
      {
        name: "permessage-deflate",
        params: [
          { name: "client_max_window_bits", value: true },
          { name: "server_max_window_bits", value: "10" },
        ],
      },
      { name: "permessage-deflate", params: [] },
      { name: "x-foo", params: [] },
    ]);
    expect(formatExtensionsHeader(offers)).toBe(
      "permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate, x-foo",
    );
    expect(() => parseExtensionsHeader('permessage-deflate; a="b')).toThrow(SyntaxError);
  });

  it("validates the four parameters", () => {
    const params = parsePerMessageDeflateParams(
      parseExtensionsHeader(
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits",
      )[0].params,
      "offer",
    );
    expect(params).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 9,
      clientMaxWindowBits: true,
    });
    expect(
      formatPerMessageDeflate({
        serverNoContextTakeover: true,
        clientNoContextTakeover: false,
        clientMaxWindowBits: 10,
      }),
    ).toBe("permessage-deflate; server_no_context_takeover; client_max_window_bits=10");
    const invalid = [
      "server_max_window_bits=16",
      "server_max_window_bits",
      "server_no_context_takeover=1",
      "foo",
      "server_no_context_takeover; server_no_context_takeover",
    ];
    for (const param of invalid) {
      expect(
        () =>
          parsePerMessageDeflateParams(
            parseExtensionsHeader(`permessage-deflate; ${param}`)[0].params,
            "offer",
          ),
        param,
      ).toThrow(SyntaxError);
    }
    expect(() =>
      parsePerMessageDeflateParams([{ name: "client_max_window_bits", value: true }], "response"),
    ).toThrow(SyntaxError);
  });

  it("negotiates the first acceptable offer, skipping invalid ones", () => {
    expect(
      negotiatePerMessageDeflate(
        "permessage-deflate; server_max_window_bits=99, permessage-deflate; client_no_context_takeover",
      ),
    ).toEqual({
      serverNoContextTakeover: false,
      clientNoContextTakeover: true,
    });
    expect(negotiatePerMessageDeflate("x-webkit-deflate-frame")).toBeUndefined();
  });

  describe("with a real ws connection", () => {
    let proxy: TapProxy | undefined;
    let wss: WebSocketServer | undefined;
    afterEach(async () => {
      await proxy?.close();
      await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    });

    it("decodes compressed server messages captured on loopback (no context takeover)", async () => {
      wss = new WebSocketServer({
        port: 0,
        host: "127.0.0.1",
        perMessageDeflate: {
          threshold: 0,
          serverNoContextTakeover: true,
          clientNoContextTakeover: true,
        },
      });
      await new Promise<void>((resolve) => wss!.on("listening", () => resolve()));
      const sent = ["Hello", "Hello again, compressed by ws", "x".repeat(5000)];
      wss.on("connection", (socket) => {
        for (const message of sent) socket.send(message);
      });
      proxy = await startTapProxy((wss.address() as AddressInfo).port);
      const client = new WebSocket(`ws://127.0.0.1:${proxy.port}/`, {
        perMessageDeflate: { clientNoContextTakeover: true, serverNoContextTakeover: true },
      });
      let received = 0;
      await new Promise<void>((resolve) =>
        client.on("message", () => ++received === sent.length && resolve()),
      );
      client.close();
      await proxy.connections[0].closed;

      const serverBytes = concatBytes(chunksOf(proxy.connections[0], "server"));
      const response = parseHttpHead(serverBytes);
      expect(response.ok && getHeader(response.head, "sec-websocket-extensions")).toMatch(
        /permessage-deflate/,
      );
      const result = parseFrames(serverBytes.subarray(findHeadEnd(serverBytes)), {
        role: "client",
        extensions: { permessageDeflate: true },
      });
      expect(result.error).toBeUndefined();
      const messages = result.messages.filter((message) => message.type === "text");
      expect(messages.every((message) => message.compressed)).toBe(true);
      expect(
        await Promise.all(
          messages.map(async (message) => text(await inflateMessage(message.data))),
        ),
      ).toEqual(sent);
    });
  });
});
