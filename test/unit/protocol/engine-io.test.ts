import { describe, expect, it } from "vitest";
import {
  decodeEngineIoPacket,
  decodeEngineIoPayload,
  describeEngineIoPacket,
  encodeEngineIoPacket,
  encodeEngineIoPayload,
} from "../../../src/protocol/engine-io.ts";
import {
  decodeSocketIoPacket,
  describeSocketIoPacket,
  SocketIoDecoder,
  SocketIoWireDecoder,
} from "../../../src/protocol/socket-io.ts";

describe("Engine.IO v4 packets", () => {
  it("decodes the open packet's handshake data", () => {
    const packet = decodeEngineIoPacket(
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
    expect(packet).toMatchObject({
      type: "open",
      open: {
        sid: "lv_VI97HAXpY6yYWAAAC",
        upgrades: ["websocket"],
        pingInterval: 25000,
        pingTimeout: 20000,
        maxPayload: 1000000,
      },
    });
    expect(describeEngineIoPacket(packet)).toBe(
      "Engine.IO open (sid lv_VI97HAXpY6yYWAAAC, upgrades websocket, ping every 25000 ms, timeout 20000 ms)",
    );
  });

  it("decodes every packet type by its digit", () => {
    expect(
      ["1", "2", "3", "4hello", "5", "6"].map((raw) => decodeEngineIoPacket(raw).type),
    ).toEqual(["close", "ping", "pong", "message", "upgrade", "noop"]);
    expect(decodeEngineIoPacket("4hello")).toEqual({
      type: "message",
      data: "hello",
      binary: false,
    });
    expect(decodeEngineIoPacket("2probe")).toEqual({ type: "ping", data: "probe", binary: false });
  });

  it("splits a polling payload on \\x1e and decodes b-prefixed base64 as binary", () => {
    const packets = decodeEngineIoPayload("4hello\x1ebAQID\x1e2");
    expect(packets).toEqual([
      { type: "message", data: "hello", binary: false },
      { type: "message", data: new Uint8Array([1, 2, 3]), binary: true },
      { type: "ping", binary: false },
    ]);
    expect(
      encodeEngineIoPayload([
        { type: "message", data: "hello" },
        { type: "message", data: new Uint8Array([1, 2, 3]) },
        { type: "ping" },
      ]),
    ).toBe("4hello\x1ebAQID\x1e2");
  });

  it("treats a WebSocket binary frame as a binary message without a type prefix", () => {
    expect(decodeEngineIoPacket(new Uint8Array([1, 2, 3]))).toEqual({
      type: "message",
      data: new Uint8Array([1, 2, 3]),
      binary: true,
    });
    expect(encodeEngineIoPacket({ type: "message", data: new Uint8Array([1, 2, 3]) })).toEqual(
      new Uint8Array([1, 2, 3]),
    );
  });

  it("returns error values for what it cannot decode", () => {
    expect(decodeEngineIoPacket("")).toMatchObject({ type: "error", code: "EIO_ERR_EMPTY_PACKET" });
    expect(decodeEngineIoPacket("9")).toMatchObject({
      type: "error",
      code: "EIO_ERR_UNKNOWN_PACKET_TYPE",
    });
    expect(decodeEngineIoPacket("b!!")).toMatchObject({
      type: "error",
      code: "EIO_ERR_INVALID_BASE64",
    });
    expect(decodeEngineIoPacket("0{}")).toMatchObject({
      type: "error",
      code: "EIO_ERR_INVALID_OPEN_PACKET",
    });
  });
});

describe("Socket.IO v5 packets", () => {
  it("decodes CONNECT to the main and to a custom namespace", () => {
    expect(decodeSocketIoPacket("0")).toEqual({ type: "CONNECT", nsp: "/" });
    expect(decodeSocketIoPacket("0/chat,")).toEqual({ type: "CONNECT", nsp: "/chat" });
    expect(decodeSocketIoPacket('0{"sid":"oSO0OpakMV_3jnilAAAA"}')).toEqual({
      type: "CONNECT",
      nsp: "/",
      data: { sid: "oSO0OpakMV_3jnilAAAA" },
    });
    expect(decodeSocketIoPacket('0/admin,{"token":"123"}')).toEqual({
      type: "CONNECT",
      nsp: "/admin",
      data: { token: "123" },
    });
  });

  it("decodes EVENT, with namespace and with ack id, and ACK", () => {
    expect(decodeSocketIoPacket('2["chat","hi"]')).toEqual({
      type: "EVENT",
      nsp: "/",
      data: ["chat", "hi"],
    });
    expect(decodeSocketIoPacket('2/chat,["msg"]')).toEqual({
      type: "EVENT",
      nsp: "/chat",
      data: ["msg"],
    });
    expect(decodeSocketIoPacket('212["foo"]')).toEqual({
      type: "EVENT",
      nsp: "/",
      id: 12,
      data: ["foo"],
    });
    expect(decodeSocketIoPacket("312[]")).toEqual({ type: "ACK", nsp: "/", id: 12, data: [] });
    expect(decodeSocketIoPacket('2/admin,13["bar"]')).toEqual({
      type: "EVENT",
      nsp: "/admin",
      id: 13,
      data: ["bar"],
    });
  });

  it("decodes CONNECT_ERROR and DISCONNECT", () => {
    expect(decodeSocketIoPacket('4{"message":"Not authorized"}')).toEqual({
      type: "CONNECT_ERROR",
      nsp: "/",
      data: { message: "Not authorized" },
    });
    expect(decodeSocketIoPacket("1/admin,")).toEqual({ type: "DISCONNECT", nsp: "/admin" });
  });

  it("decodes BINARY_EVENT headers with their placeholder and reassembles the attachment", () => {
    expect(decodeSocketIoPacket('51-["up",{"_placeholder":true,"num":0}]')).toEqual({
      type: "BINARY_EVENT",
      nsp: "/",
      attachments: 1,
      data: ["up", { _placeholder: true, num: 0 }],
    });
    const decoder = new SocketIoDecoder();
    expect(
      decoder.push(
        '52-/chat,7["up",{"_placeholder":true,"num":1},{"b":{"_placeholder":true,"num":0}}]',
      ),
    ).toMatchObject({ kind: "pending", received: 0, expected: 2 });
    expect(decoder.push(new Uint8Array([1]))).toMatchObject({
      kind: "pending",
      received: 1,
      expected: 2,
    });
    expect(decoder.push(new Uint8Array([2, 3]))).toEqual({
      kind: "packet",
      packet: {
        type: "BINARY_EVENT",
        nsp: "/chat",
        id: 7,
        attachments: 2,
        data: ["up", new Uint8Array([2, 3]), { b: new Uint8Array([1]) }],
      },
    });
    expect(decoder.push('61-3[{"_placeholder":true,"num":0}]')).toMatchObject({ kind: "pending" });
    expect(decoder.push(new Uint8Array([9]))).toMatchObject({
      kind: "packet",
      packet: { type: "BINARY_ACK", id: 3, data: [new Uint8Array([9])] },
    });
  });

  it("returns error values with stable codes", () => {
    expect(decodeSocketIoPacket("7")).toMatchObject({
      type: "error",
      code: "SIO_ERR_UNKNOWN_PACKET_TYPE",
    });
    expect(decodeSocketIoPacket('5x-["a"]')).toMatchObject({
      type: "error",
      code: "SIO_ERR_ILLEGAL_ATTACHMENTS",
    });
    expect(decodeSocketIoPacket("2[oops")).toMatchObject({
      type: "error",
      code: "SIO_ERR_INVALID_JSON",
    });
    expect(decodeSocketIoPacket('2["connect"]')).toMatchObject({
      type: "error",
      code: "SIO_ERR_INVALID_PAYLOAD",
    });
    expect(decodeSocketIoPacket('1["x"]')).toMatchObject({
      type: "error",
      code: "SIO_ERR_INVALID_PAYLOAD",
    });
    const decoder = new SocketIoDecoder();
    expect(decoder.push(new Uint8Array([1]))).toMatchObject({
      kind: "error",
      error: { code: "SIO_ERR_UNEXPECTED_BINARY" },
    });
    decoder.push('51-["a",{"_placeholder":true,"num":0}]');
    expect(decoder.push('2["b"]')).toMatchObject({
      kind: "error",
      error: { code: "SIO_ERR_EXPECTED_BINARY" },
    });
    decoder.push('51-["a",{"_placeholder":true,"num":4}]');
    expect(decoder.push(new Uint8Array([1]))).toMatchObject({
      kind: "error",
      error: { code: "SIO_ERR_INVALID_PLACEHOLDER" },
    });
  });

  it("describes packets in one line", () => {
    const wire = new SocketIoWireDecoder();
    expect(wire.decodeWebSocketMessage('42["chat","hi"]').description).toBe(
      "Engine.IO message → Socket.IO EVENT → event chat, args [hi]",
    );
    expect(wire.decodeWebSocketMessage('4212["foo"]').description).toBe(
      "Engine.IO message → Socket.IO EVENT → event foo, args [], ack id 12 (the sender waits for an ACK)",
    );
    expect(wire.decodeWebSocketMessage("4312[]").description).toBe(
      "Engine.IO message → Socket.IO ACK → answer to ack id 12, args []",
    );
    expect(wire.decodeWebSocketMessage("2probe").description).toBe(
      "Engine.IO ping probe (transport upgrade test)",
    );
    expect(
      wire.decodeWebSocketMessage('451-["up",{"_placeholder":true,"num":0}]').description,
    ).toBe(
      'Engine.IO message → Socket.IO BINARY_EVENT → event up, args [{"_placeholder": true, "num": 0}], 1 binary attachment(s) (waiting for 1 binary attachment(s))',
    );
    expect(wire.decodeWebSocketMessage(new Uint8Array([1, 2, 3])).description).toBe(
      "Engine.IO message (binary, 3 bytes) → Socket.IO BINARY_EVENT → event up, args [<binary 3 bytes>], 1 binary attachment(s)",
    );
    expect(
      describeSocketIoPacket({
        type: "CONNECT_ERROR",
        nsp: "/",
        data: { message: "Not authorized" },
      }),
    ).toBe('Socket.IO CONNECT_ERROR → refused: {"message": "Not authorized"}');
  });
});
