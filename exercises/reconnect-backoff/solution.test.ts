import { describe, expect, test } from "vitest";
import { backoffDelay } from "./solution.ts";

const options = (random: number) => ({ baseMs: 500, maxMs: 10_000, random: () => random });

describe("backoffDelay", () => {
  test("doubles the ceiling with each attempt (random() close to 1)", () => {
    const almostOne = 0.999999;
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options(almostOne)))).toEqual([
      499, 999, 1999, 3999,
    ]);
  });

  test("caps the ceiling at maxMs", () => {
    expect(backoffDelay(5, options(0.999999))).toBe(9999);
    expect(backoffDelay(30, options(0.5))).toBe(5000);
  });

  test("scales the ceiling by random(): full jitter", () => {
    expect(backoffDelay(2, options(0.5))).toBe(1000);
    expect(backoffDelay(2, options(0.25))).toBe(500);
  });

  test("can return 0 when random() returns 0", () => {
    expect(backoffDelay(4, options(0))).toBe(0);
  });

  test("returns whole milliseconds, rounded down", () => {
    expect(backoffDelay(0, { baseMs: 3, maxMs: 100, random: () => 0.5 })).toBe(1);
  });

  test("uses the random function it is given, once per call", () => {
    let calls = 0;
    const random = () => {
      calls++;
      return 0.1;
    };
    backoffDelay(1, { baseMs: 1000, maxMs: 60_000, random });
    expect(calls).toBe(1);
  });

  test("spreads many clients over the whole window", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const delays = Array.from({ length: 1000 }, () =>
      backoffDelay(3, { baseMs: 500, maxMs: 10_000, random }),
    );
    expect(Math.min(...delays)).toBeLessThan(400);
    expect(Math.max(...delays)).toBeGreaterThan(3600);
    expect(delays.every((d) => d >= 0 && d < 4000)).toBe(true);
  });

  test("throws a RangeError for a negative or fractional attempt", () => {
    expect(() => backoffDelay(-1, options(0.5))).toThrow(RangeError);
    expect(() => backoffDelay(1.5, options(0.5))).toThrow(RangeError);
  });
});
