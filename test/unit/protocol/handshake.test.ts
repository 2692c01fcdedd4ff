import fc from "fast-check";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  acceptKey,
  acceptKeySteps,
  acceptKeySync,
  isValidWebSocketKey,
  WEBSOCKET_GUID,
} from "../../../src/protocol/accept-key.ts";
import { base64Decode, base64Encode } from "../../../src/protocol/base64.ts";
import { sha1 } from "../../../src/protocol/sha1.ts";
import { getHeader, headerHasToken, parseHttpHead } from "../../../src/protocol/http-handshake.ts";

describe("Sec-WebSocket-Accept", () => {
  it("turns the RFC 6455 example key dGhlIHNhbXBsZSBub25jZQ== into s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", async () => {
    expect(await acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("exposes every intermediate step for the visualizer", async () => {
    const steps = await acceptKeySteps("dGhlIHNhbXBsZSBub25jZQ==");
    expect(steps.concatenated).toBe("dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    expect(steps.sha1Hex).toBe("b37a4f2cc0624f1690f64606cf385945b2bec4ea");
    expect(steps.accept).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    expect(WEBSOCKET_GUID).toBe("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  });

  it("computes the same value synchronously with the pure-TS SHA-1", () => {
    expect(acceptKeySync("dGhlIHNhbXBsZSBub25jZQ==").accept).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("accepts only keys that are base64 of 16 bytes", () => {
    expect(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe(true);
    expect(isValidWebSocketKey("dGhlIHNhbXBsZSBub25jZQ")).toBe(false);
    expect(isValidWebSocketKey("aGVsbG8=")).toBe(false);
    expect(isValidWebSocketKey("")).toBe(false);
  });
});

describe("SHA-1 and base64", () => {
  it("hashes like node:crypto for any input, including block-boundary lengths", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(Buffer.from(sha1(bytes)).toString("hex")).toBe(
          createHash("sha1").update(bytes).digest("hex"),
        );
      }),
    );
    for (const length of [55, 56, 63, 64, 65, 119, 120]) {
      const bytes = new Uint8Array(length).fill(0x61);
      expect(Buffer.from(sha1(bytes)).toString("hex")).toBe(
        createHash("sha1").update(bytes).digest("hex"),
      );
    }
  });

  it("encodes and decodes base64 like Buffer", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = base64Encode(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64Decode(encoded)).toEqual(bytes);
        expect(base64Decode(encoded.replace(/=+$/, ""))).toEqual(bytes);
      }),
    );
  });

  it("rejects malformed base64", () => {
    expect(() => base64Decode("a")).toThrow(SyntaxError);
    expect(() => base64Decode("ab!d")).toThrow(SyntaxError);
    expect(() => base64Decode("abc==")).toThrow(SyntaxError);
  });
});

describe("HTTP handshake heads", () => {
  const request =
    "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Protocol: chat\r\n" +
    "Sec-WebSocket-Protocol: superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";

  it("parses the RFC 6455 §1.2 client request and joins repeated headers", () => {
    const result = parseHttpHead(new TextEncoder().encode(request + "\x81\x00"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.head).toMatchObject({
      kind: "request",
      method: "GET",
      target: "/chat",
      httpVersion: "HTTP/1.1",
      headLength: request.length,
    });
    expect(getHeader(result.head, "sec-websocket-key")).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(getHeader(result.head, "Sec-WebSocket-Protocol")).toBe("chat, superchat");
    expect(headerHasToken(result.head, "connection", "upgrade")).toBe(true);
    expect(headerHasToken(result.head, "upgrade", "WebSocket")).toBe(true);
  });

  it("parses a 101 response", () => {
    const result = parseHttpHead(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    );
    expect(result.ok && result.head).toMatchObject({
      kind: "response",
      status: 101,
      reason: "Switching Protocols",
    });
  });

  it("reports an incomplete head and a malformed one", () => {
    expect(parseHttpHead("GET / HTTP/1.1\r\nHost: x\r\n")).toEqual({ ok: false, incomplete: true });
    const bad = parseHttpHead("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
    expect(bad.ok === false && !bad.incomplete).toBe(true);
  });
});
