import { describe, expect, it } from "vitest";
import { errorLocation, explainError } from "../../src/components/exercise/explain.ts";
import {
  GradeRequestError,
  normaliseGradeMessage,
  type GradeResult,
} from "../../src/components/exercise/grade-client.ts";
import { splitFrontMatter, splitHints, testNames } from "../../src/components/exercise/loader.ts";

const error = (message: string, extra: Partial<GradeResult> = {}): GradeResult => ({
  status: "error",
  tests: [],
  message,
  ...extra,
});

describe("explainError", () => {
  it("names a syntax error and its line from the grader's message", () => {
    const explanation = explainError(
      error(
        "Your code could not be compiled: syntax error in solution.ts at line 2, column 17.\nTransform failed",
      ),
    );
    expect(explanation).toMatchObject({ kind: "syntax", line: 2, column: 17 });
    expect(explanation.title).toBe("Syntax error on line 2");
  });

  it("explains a timeout with the limit the grader states", () => {
    const explanation = explainError(
      error("Time limit exceeded: the tests did not finish within 10 s and were stopped."),
    );
    expect(explanation.kind).toBe("timeout");
    expect(explanation.detail).toContain("10 seconds");
    expect(explanation.line).toBeUndefined();
  });

  it("explains running out of memory", () => {
    const explanation = explainError(
      error("Out of memory: your code used more memory than the limit (512 MiB) and was stopped."),
    );
    expect(explanation).toMatchObject({ kind: "memory", title: "Out of memory" });
  });

  it("prefers the grader's own kind and line when it sends them", () => {
    expect(explainError(error("boom", { kind: "timeout", line: 7 }))).toMatchObject({
      kind: "timeout",
      line: 7,
    });
  });

  it("finds a location in the common message shapes", () => {
    expect(errorLocation("at solution.ts:12:5")).toEqual({ line: 12, column: 5 });
    expect(errorLocation("Unexpected token (3:9)")).toEqual({ line: 3, column: 9 });
    expect(errorLocation("nothing here")).toBeUndefined();
  });
});

describe("normaliseGradeMessage", () => {
  it("reads the /ws/grade events: queued, started, test, result", () => {
    expect(normaliseGradeMessage({ type: "queued", position: 3 })).toEqual({
      type: "queued",
      position: 3,
    });
    expect(normaliseGradeMessage({ type: "started", warm: true })).toEqual({ type: "started" });
    expect(
      normaliseGradeMessage({
        type: "test",
        test: { name: "a > b", status: "fail", message: "m", expected: "x", actual: "y" },
      }),
    ).toEqual({
      type: "test",
      test: { name: "a > b", status: "fail", message: "m", expected: "x", actual: "y" },
    });
    const result = normaliseGradeMessage({
      type: "result",
      result: { status: "pass", tests: [{ name: "t", status: "pass" }], durationMs: 120 },
    });
    expect(result).toMatchObject({ type: "result", result: { status: "pass", durationMs: 120 } });
  });

  it("turns a refusal into a GradeRequestError with its status", () => {
    const refusal = { type: "error", status: 429, error: "Already grading." };
    expect(() => normaliseGradeMessage(refusal)).toThrow(GradeRequestError);
    try {
      normaliseGradeMessage(refusal);
    } catch (thrown) {
      expect((thrown as GradeRequestError).status).toBe(429);
      expect((thrown as GradeRequestError).message).toBe("Already grading.");
    }
  });

  it("ignores messages it does not know", () => {
    expect(normaliseGradeMessage({ type: "heartbeat" })).toBeUndefined();
    expect(normaliseGradeMessage("text")).toBeUndefined();
  });
});

describe("exercise loader helpers", () => {
  it("lists test names in source order", () => {
    const source = `test("first", () => {});\n  it('second \\'quoted\\'', async () => {});\ntest.skip("third", () => {})`;
    expect(testNames(source)).toEqual(["first", "second 'quoted'", "third"]);
  });

  it("splits hints by section, else by list item", () => {
    expect(splitHints("# Hints\n## One\nfirst\n## Two\nsecond")).toEqual(["first", "second"]);
    expect(splitHints("- first\n- second")).toEqual(["first", "second"]);
  });

  it("reads simple front matter", () => {
    const { data, body } = splitFrontMatter(
      "---\ntitle: Hello\norder: 3\nhints:\n  - a\n  - b\n---\nBody",
    );
    expect(data).toEqual({ title: "Hello", order: 3, hints: ["a", "b"] });
    expect(body).toBe("Body");
  });
});
