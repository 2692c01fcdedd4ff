import { describe, expect, test } from "vitest";
import { parseFrameHeader } from "./solution.ts";

const hex = (text: string) =>
  Uint8Array.from(text.split(" ").filter(Boolean), (byte) => parseInt(byte, 16));

describe("parseFrameHeader", () => {
  test('reads the unmasked text frame "Hello" (RFC 6455 §5.7: 81 05 …)', () => {
    const header = parseFrameHeader(hex("81 05 48 65 6c 6c 6f"));
    expect(header).not.toBeNull();
    expect(header?.fin).toBe(true);
    expect(header?.opcode).toBe(0x1);
    expect(header?.masked).toBe(false);
    expect(header?.payloadLength).toBe(5);
    expect(header?.maskingKey).toBeNull();
    expect(header?.headerLength).toBe(2);
  });

  test("reads the masking key of a masked client frame (81 85 37 fa 21 3d …)", () => {
    const header = parseFrameHeader(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));
    expect(header?.masked).toBe(true);
    expect(header?.payloadLength).toBe(5);
    expect(Array.from(header?.maskingKey ?? [])).toEqual([0x37, 0xfa, 0x21, 0x3d]);
    expect(header?.headerLength).toBe(6);
  });

  test("reads FIN = 0 and the continuation opcode of a fragmented message (01 03 …, 80 02 …)", () => {
    const first = parseFrameHeader(hex("01 03 48 65 6c"));
    const last = parseFrameHeader(hex("80 02 6c 6f"));
    expect(first?.fin).toBe(false);
    expect(first?.opcode).toBe(0x1);
    expect(last?.fin).toBe(true);
    expect(last?.opcode).toBe(0x0);
  });

  test("reads the ping opcode 0x9 (89 05 …)", () => {
    expect(parseFrameHeader(hex("89 05 48 65 6c 6c 6f"))?.opcode).toBe(0x9);
  });

  test("reads RSV1, RSV2 and RSV3 separately", () => {
    const rsv1 = parseFrameHeader(hex("c1 00"));
    expect([rsv1?.rsv1, rsv1?.rsv2, rsv1?.rsv3]).toEqual([true, false, false]);
    const rsv2 = parseFrameHeader(hex("a1 00"));
    expect([rsv2?.rsv1, rsv2?.rsv2, rsv2?.rsv3]).toEqual([false, true, false]);
    const rsv3 = parseFrameHeader(hex("91 00"));
    expect([rsv3?.rsv1, rsv3?.rsv2, rsv3?.rsv3]).toEqual([false, false, true]);
  });

  test("reads a 16-bit extended length: 256 bytes of binary (82 7E 01 00)", () => {
    const header = parseFrameHeader(hex("82 7e 01 00"));
    expect(header?.opcode).toBe(0x2);
    expect(header?.payloadLength).toBe(256);
    expect(header?.headerLength).toBe(4);
  });

  test("reads a 64-bit extended length: 64 KiB of binary (82 7F 00 00 00 00 00 01 00 00)", () => {
    const header = parseFrameHeader(hex("82 7f 00 00 00 00 00 01 00 00"));
    expect(header?.payloadLength).toBe(65536);
    expect(header?.headerLength).toBe(10);
  });

  test("reads an extended length followed by a masking key (header of 8 and 14 bytes)", () => {
    const short = parseFrameHeader(hex("82 fe 01 00 0a 0b 0c 0d"));
    expect(short?.headerLength).toBe(8);
    expect(Array.from(short?.maskingKey ?? [])).toEqual([0x0a, 0x0b, 0x0c, 0x0d]);
    const long = parseFrameHeader(hex("82 ff 00 00 00 00 00 01 00 00 01 02 03 04"));
    expect(long?.payloadLength).toBe(65536);
    expect(long?.headerLength).toBe(14);
    expect(Array.from(long?.maskingKey ?? [])).toEqual([1, 2, 3, 4]);
  });

  test("returns null while the header is incomplete", () => {
    expect(parseFrameHeader(hex(""))).toBeNull();
    expect(parseFrameHeader(hex("81"))).toBeNull();
    expect(parseFrameHeader(hex("82 7e 01"))).toBeNull();
    expect(parseFrameHeader(hex("82 7f 00 00 00 00 00 01 00"))).toBeNull();
    expect(parseFrameHeader(hex("81 85 37 fa 21"))).toBeNull();
  });

  test("does not need the payload: a complete header is enough", () => {
    expect(parseFrameHeader(hex("81 05"))?.payloadLength).toBe(5);
  });

  test("reads a header that does not start at offset 0 of its buffer", () => {
    const buffer = hex("ff ff 82 7e 01 00");
    const header = parseFrameHeader(buffer.subarray(2));
    expect(header?.payloadLength).toBe(256);
  });
});
