import { describe, expect, it } from "vitest";
import { lessonSchema, lessonSlug } from "../../src/lessons/schema.ts";

const valid = {
  title: "What a WebSocket is",
  order: 1,
  summary: "One TCP connection, two directions, whole messages.",
  objectives: ["Explain full duplex"],
  minutes: 20,
};

function problems(data: unknown): string[] {
  const result = lessonSchema.safeParse(data);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("lesson front matter", () => {
  it("accepts a complete lesson and defaults exercises to none", () => {
    expect(lessonSchema.parse(valid).exercises).toEqual([]);
  });

  it("says which field is missing and how to add it", () => {
    const { title: _title, ...withoutTitle } = valid;
    expect(problems(withoutTitle)).toEqual([
      expect.stringMatching(/^title: title is required: add `title:/),
    ]);
  });

  it("explains a wrong type or range in words", () => {
    expect(problems({ ...valid, order: 1.5 })).toEqual(["order: order must be a whole number"]);
    expect(problems({ ...valid, minutes: 0 })).toEqual(["minutes: minutes must be at least 1"]);
    expect(problems({ ...valid, objectives: [] })).toEqual([
      "objectives: objectives must list at least one learning objective",
    ]);
    expect(problems({ ...valid, summary: "short" })).toEqual([
      "summary: summary must be at least 20 characters",
    ]);
  });
});

describe("lesson slugs", () => {
  it("drop the numeric ordering prefix of the folder", () => {
    expect(lessonSlug("01-what-is-a-websocket/index.mdx")).toBe("what-is-a-websocket");
    expect(lessonSlug("10-running-in-production/index.mdx")).toBe("running-in-production");
  });
});
