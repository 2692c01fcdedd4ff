import { describe, expect, test } from "vitest";
import { encodeTextFrame } from "./solution.ts";

const toHex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");

describe("encodeTextFrame", () => {
  test('encodes "Hello" as 81 05 48 65 6c 6c 6f (RFC 6455 §5.7)', () => {
    expect(toHex(encodeTextFrame("Hello"))).toBe("81 05 48 65 6c 6c 6f");
  });

  test("encodes the empty string as a 2-byte frame: 81 00", () => {
    expect(toHex(encodeTextFrame(""))).toBe("81 00");
  });

  test('counts UTF-8 bytes, not characters: "héllo" has 6 bytes', () => {
    expect(toHex(encodeTextFrame("héllo"))).toBe("81 06 68 c3 a9 6c 6c 6f");
  });

  test("never sets the MASK bit: frames from a server are not masked", () => {
    expect(encodeTextFrame("masked?")[1] & 0x80).toBe(0);
  });

  test("keeps 125 bytes in the 7-bit length field", () => {
    const frame = encodeTextFrame("a".repeat(125));
    expect(toHex(frame.subarray(0, 2))).toBe("81 7d");
    expect(frame.length).toBe(127);
  });

  test("uses the 16-bit length from 126 bytes: 81 7e 00 7e", () => {
    const frame = encodeTextFrame("a".repeat(126));
    expect(toHex(frame.subarray(0, 4))).toBe("81 7e 00 7e");
    expect(frame.length).toBe(4 + 126);
  });

  test("uses the 16-bit length up to 65535 bytes: 81 7e ff ff", () => {
    const frame = encodeTextFrame("a".repeat(65535));
    expect(toHex(frame.subarray(0, 4))).toBe("81 7e ff ff");
    expect(frame.length).toBe(4 + 65535);
  });

  test("uses the 64-bit length from 65536 bytes: 81 7f 00 00 00 00 00 01 00 00", () => {
    const frame = encodeTextFrame("a".repeat(65536));
    expect(toHex(frame.subarray(0, 10))).toBe("81 7f 00 00 00 00 00 01 00 00");
    expect(frame.length).toBe(10 + 65536);
  });

  test("puts the payload right after the header", () => {
    const frame = encodeTextFrame("x".repeat(300));
    expect(new TextDecoder().decode(frame.subarray(4))).toBe("x".repeat(300));
  });
});
