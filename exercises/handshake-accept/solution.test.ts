import { describe, expect, test } from "vitest";
import { acceptKey } from "./solution.ts";

describe("acceptKey", () => {
  test("returns the RFC 6455 example answer for the example key", () => {
    expect(acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  test("returns a different answer for a different key", () => {
    expect(acceptKey("x3JJHMbDL1EzLkh9GBhXDw==")).toBe("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
  });

  test("returns the base64 of a 20-byte SHA-1 digest (28 characters)", () => {
    const accept = acceptKey("AQIDBAUGBwgJCgsMDQ4PEA==");
    expect(typeof accept).toBe("string");
    expect(accept.length).toBe(28);
    expect(Buffer.from(accept, "base64").length).toBe(20);
  });

  test("uses the key exactly as sent, without decoding it", () => {
    expect(acceptKey("AQIDBAUGBwgJCgsMDQ4PEA==")).toBe("C/0nmHhBztSRGR1CwL6Tf4ZjwpY=");
  });
});
