import { describe, expect, test } from "vitest";
import { parseClosePayload } from "./solution.ts";

const hex = (text: string) =>
  Uint8Array.from(text.split(" ").filter(Boolean), (byte) => parseInt(byte, 16));
const withCode = (code: number, reason = "") => {
  const bytes = new TextEncoder().encode(reason);
  return Uint8Array.from([code >> 8, code & 0xff, ...bytes]);
};

describe("parseClosePayload", () => {
  test('reads code 1000 and its reason (03 e8 + "bye")', () => {
    expect(parseClosePayload(hex("03 e8 62 79 65"))).toEqual({
      valid: true,
      code: 1000,
      reason: "bye",
    });
  });

  test("reads a code without a reason", () => {
    expect(parseClosePayload(withCode(1001))).toEqual({ valid: true, code: 1001, reason: "" });
  });

  test("accepts an empty payload: no code, no reason", () => {
    expect(parseClosePayload(new Uint8Array(0))).toEqual({ valid: true, code: null, reason: "" });
  });

  test("rejects a 1-byte payload with 1002 (protocol error)", () => {
    expect(parseClosePayload(hex("03"))).toEqual({ valid: false, closeCode: 1002 });
  });

  test("decodes a UTF-8 reason with multi-byte characters", () => {
    expect(parseClosePayload(withCode(4000, "au revoir, élève ✓"))).toEqual({
      valid: true,
      code: 4000,
      reason: "au revoir, élève ✓",
    });
  });

  test("rejects a reason that is not valid UTF-8 with 1007", () => {
    expect(parseClosePayload(hex("03 e8 ff fe"))).toEqual({ valid: false, closeCode: 1007 });
  });

  test.each([1005, 1006, 1015])(
    "rejects %i, which must never appear on the wire, with 1002",
    (code) => {
      expect(parseClosePayload(withCode(code))).toEqual({ valid: false, closeCode: 1002 });
    },
  );

  test("rejects the reserved 1004 and codes below 1000 with 1002", () => {
    expect(parseClosePayload(withCode(1004))).toEqual({ valid: false, closeCode: 1002 });
    expect(parseClosePayload(withCode(999))).toEqual({ valid: false, closeCode: 1002 });
    expect(parseClosePayload(withCode(0))).toEqual({ valid: false, closeCode: 1002 });
  });

  test("rejects unassigned codes 1016–2999 and 5000+ with 1002", () => {
    expect(parseClosePayload(withCode(1016))).toEqual({ valid: false, closeCode: 1002 });
    expect(parseClosePayload(withCode(2999))).toEqual({ valid: false, closeCode: 1002 });
    expect(parseClosePayload(withCode(5000))).toEqual({ valid: false, closeCode: 1002 });
  });

  test.each([1000, 1003, 1007, 1011, 1014, 3000, 3999, 4000, 4999])("accepts %i", (code) => {
    expect(parseClosePayload(withCode(code))).toEqual({ valid: true, code, reason: "" });
  });
});
