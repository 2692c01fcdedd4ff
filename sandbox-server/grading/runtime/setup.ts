/**
 * Runs in the vitest worker before the exercise's test file (and so before
 * the student's `solution.ts`) is imported. Locks the assertion machinery so
 * a solution cannot rewrite matchers to forge passes (`expect.extend`,
 * patching chai's Assertion prototype or the matcher registry) or by
 * replacing the static helpers the equality checks rely on (`Object.is`,
 * `Object.keys`, `Array.isArray`...).
 *
 * Node's `--frozen-intrinsics` would be stronger but breaks vitest, which
 * patches `console`.
 */
import { chai, expect } from "vitest";

const MATCHERS_OBJECT = Symbol.for("$$jest-matchers-object");
const registry = (globalThis as Record<symbol, { matchers?: object } | undefined>)[MATCHERS_OBJECT];
if (registry?.matchers) Object.freeze(registry.matchers);
Object.freeze(chai.Assertion.prototype);
Object.freeze(chai.Assertion);
Object.freeze(chai.util);
// Setup runs before every test file in the (reused) worker: lock once.
if (!Object.isFrozen(expect))
  Object.defineProperty(expect, "extend", {
    value() {
      throw new Error("expect.extend is not available while grading");
    },
    writable: false,
    configurable: false,
  });
Object.freeze(expect);
Object.freeze(Object);
Object.freeze(Array);
Object.freeze(Reflect);
