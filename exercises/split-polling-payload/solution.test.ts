import { describe, expect, test } from "vitest";
import { decodePayload } from "./solution.ts";

describe("decodePayload", () => {
  test('decodes one message packet: "4hello"', () => {
    expect(decodePayload("4hello")).toEqual([{ type: "message", data: "hello" }]);
  });

  test('splits packets on the record separator: "4hello\\x1e2\\x1e4world"', () => {
    expect(decodePayload("4hello\x1e2\x1e4world")).toEqual([
      { type: "message", data: "hello" },
      { type: "ping" },
      { type: "message", data: "world" },
    ]);
  });

  test("decodes every packet type from 0 to 6", () => {
    expect(decodePayload("0\x1e1\x1e2\x1e3\x1e4\x1e5\x1e6").map((p) => p.type)).toEqual([
      "open",
      "close",
      "ping",
      "pong",
      "message",
      "upgrade",
      "noop",
    ]);
  });

  test("keeps the JSON of an open packet as its data", () => {
    const open =
      '{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';
    expect(decodePayload("0" + open)).toEqual([{ type: "open", data: open }]);
  });

  test('decodes the probe of an upgrade: "2probe" is a ping with data "probe"', () => {
    expect(decodePayload("2probe")).toEqual([{ type: "ping", data: "probe" }]);
  });

  test("leaves data out when a packet has none", () => {
    const [ping] = decodePayload("2");
    expect(ping).toEqual({ type: "ping" });
    expect("data" in ping).toBe(false);
  });

  test('decodes a base64 binary packet: "bAQID" is the bytes 01 02 03', () => {
    const [packet] = decodePayload("bAQID");
    expect(packet.type).toBe("message");
    expect(packet.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(packet.data as Uint8Array)).toEqual([1, 2, 3]);
  });

  test("mixes text and binary packets in one payload", () => {
    const packets = decodePayload('451-["up",{"_placeholder":true,"num":0}]\x1ebAQID');
    expect(packets[0]).toEqual({
      type: "message",
      data: '51-["up",{"_placeholder":true,"num":0}]',
    });
    expect(Array.from(packets[1].data as Uint8Array)).toEqual([1, 2, 3]);
  });

  test("returns no packets for an empty body", () => {
    expect(decodePayload("")).toEqual([]);
  });

  test("keeps a message's data verbatim, even when it contains digits and quotes", () => {
    expect(decodePayload('42["chat","4 \\"quoted\\" words"]')).toEqual([
      { type: "message", data: '2["chat","4 \\"quoted\\" words"]' },
    ]);
  });

  test('reports an unknown packet type as { type: "error", data: "parser error" }', () => {
    expect(decodePayload("9oops\x1e4ok")).toEqual([
      { type: "error", data: "parser error" },
      { type: "message", data: "ok" },
    ]);
  });
});
