/**
 * Prints the full names of the tests in the given exercise test files, as
 * vitest names them at run time (`describe > test`, `test.each` expanded).
 * Collecting imports the test files and the exercise's starter but runs no
 * test; these are the course's own files, not student code. Run by the
 * grader once at start-up, in a child process so the server itself never
 * loads vitest: `node list-tests.ts <root> <file>...` → JSON on stdout.
 */
import { createVitest } from "vitest/node";

const [root, ...files] = process.argv.slice(2);
const vitest = await createVitest(
  "test",
  {
    config: false,
    root,
    include: files,
    watch: false,
    reporters: [],
    pool: "threads",
    isolate: false,
  },
  { logLevel: "silent" },
);
const project = vitest.getRootProject();
const { testModules } = await vitest.collectTests(
  files.map((file) => project.createSpecification(file)),
);
const out: Record<string, string[] | { error: string }> = {};
for (const module of testModules) {
  const errors = module.errors();
  out[module.moduleId] =
    errors.length > 0
      ? { error: errors.map((e) => e.message).join("; ") }
      : [...module.children.allTests()].map((t) => t.fullName);
}
process.stdout.write(JSON.stringify(out), () => process.exit(0));
