import { describe, expect, it } from "vitest";
import {
  closeCodeInfo,
  closeCodeRange,
  closeCodes,
  describeCloseCode,
  isValidReceivedCloseCode,
  localOnlyCloseCodes,
} from "../../../src/protocol/close-codes.ts";
import { encodeClosePayload, encodeCloseFrame } from "../../../src/protocol/frame-encoder.ts";
import { bytesToHex } from "../../../src/protocol/hex.ts";

describe("close codes", () => {
  it("lists 1000–1015 with names", () => {
    expect(closeCodes.map((entry) => entry.code)).toEqual(
      Array.from({ length: 16 }, (_, i) => 1000 + i),
    );
    expect(closeCodeInfo(1009)?.name).toBe("Message Too Big");
    expect(closeCodeInfo(1014)?.source).toBe("IANA registry");
  });

  it("never puts 1005, 1006 or 1015 on the wire", () => {
    expect(localOnlyCloseCodes).toEqual([1005, 1006, 1015]);
    for (const code of localOnlyCloseCodes) {
      expect(closeCodeInfo(code)?.sendable).toBe(false);
      expect(isValidReceivedCloseCode(code)).toBe(false);
    }
  });

  it("accepts 1000–1003, 1007–1014 and 3000–4999 from the peer, and nothing else", () => {
    const valid = [];
    for (let code = 0; code < 6000; code++) if (isValidReceivedCloseCode(code)) valid.push(code);
    const expected = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
    for (let code = 3000; code <= 4999; code++) expected.push(code);
    expect(valid).toEqual(expected);
  });

  it("names the ranges", () => {
    expect(closeCodeRange(3001)).toBe("registered");
    expect(closeCodeRange(4001)).toBe("private");
    expect(closeCodeRange(2000)).toBe("protocol");
    expect(closeCodeRange(999)).toBe("unused");
    expect(describeCloseCode(1000)).toBe("1000 Normal Closure");
    expect(describeCloseCode(4001)).toMatch(/private/);
  });

  it("encodes a close frame with code and reason", () => {
    expect(bytesToHex(encodeClosePayload(1000, "bye"))).toBe("03 e8 62 79 65");
    expect(bytesToHex(encodeCloseFrame({ code: 1001 }))).toBe("88 02 03 e9");
    expect(bytesToHex(encodeCloseFrame({}))).toBe("88 00");
  });
});
