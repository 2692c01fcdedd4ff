import { describe, expect, test } from "vitest";
import { unmask } from "./solution.ts";

const hex = (text: string) =>
  Uint8Array.from(text.split(" ").filter(Boolean), (byte) => parseInt(byte, 16));
const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

describe("unmask", () => {
  test('unmasks the RFC 6455 §5.7 example to "Hello"', () => {
    const out = unmask(hex("7f 9f 4d 51 58"), hex("37 fa 21 3d"));
    expect(toHex(out)).toBe("48 65 6c 6c 6f");
    expect(new TextDecoder().decode(out)).toBe("Hello");
  });

  test("wraps around the 4-byte key for payloads longer than 4 bytes", () => {
    const out = unmask(hex("00 00 00 00 00 00 00 00 00"), hex("01 02 03 04"));
    expect(toHex(out)).toBe("01 02 03 04 01 02 03 04 01");
  });

  test("returns an empty array for an empty payload", () => {
    expect(unmask(new Uint8Array(0), hex("01 02 03 04")).length).toBe(0);
  });

  test("gives the original back when applied twice", () => {
    const original = new TextEncoder().encode("WebSocket frames are masked client to server");
    const key = hex("a1 b2 c3 d4");
    expect(toHex(unmask(unmask(original, key), key))).toBe(toHex(original));
  });

  test("leaves the input unchanged", () => {
    const payload = hex("7f 9f 4d 51 58");
    unmask(payload, hex("37 fa 21 3d"));
    expect(toHex(payload)).toBe("7f 9f 4d 51 58");
  });

  test("works on a payload that is a view into a larger buffer", () => {
    const buffer = hex("ff ff 7f 9f 4d 51 58");
    expect(new TextDecoder().decode(unmask(buffer.subarray(2), hex("37 fa 21 3d")))).toBe("Hello");
  });
});
