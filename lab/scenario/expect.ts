// Hard assertions for steps. Each one throws StepFailure, which ends the step, because a
// mismatch that is only printed gets lost in the output and the scenario still "passes".
// Messages read "<what>: expected <expected>, got <actual>".
import { inspect, isDeepStrictEqual } from 'node:util';
import { StepFailure } from './define.js';

/** Long values (command output) are cut so a failure message stays readable. */
const MAX_SHOWN_CHARS = 2000;

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  // Object.is rather than ===, so an expected NaN can pass.
  if (!Object.is(actual, expected)) failComparison(what, expected, actual);
}

export function expectDeepEqual<T>(actual: T, expected: T, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) failComparison(what, expected, actual);
}

/** Returns the match, so a step can read capture groups from what it just checked. */
export function expectMatch(text: string, pattern: RegExp, what: string): RegExpMatchArray {
  // A /g or /y pattern would make String.match drop the groups (or depend on lastIndex).
  const match = text.match(new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, '')));
  if (match === null) fail(what, `text matching ${pattern}`, show(text));
  return match;
}

/** Items are compared deeply, so a list of records can be searched by value. */
export function expectIncludes<T>(list: readonly T[], item: T, what: string): void {
  if (!list.some((candidate) => isDeepStrictEqual(candidate, item))) {
    fail(what, `a list including ${show(item)}`, show(list));
  }
}

export function expectTrue(condition: unknown, what: string): asserts condition {
  if (!condition) fail(what, 'true', show(condition));
}

function fail(what: string, expected: string, actual: string): never {
  throw new StepFailure(`${what}: expected ${expected}, got ${actual}`);
}

// JSON shows strings with their quotes and whitespace, but it turns NaN into null, drops
// undefined properties and shows a Map as {}; when that hides the difference, use inspect.
function failComparison(what: string, expected: unknown, actual: unknown): never {
  const expectedJson = toJson(expected);
  const actualJson = toJson(actual);
  if (expectedJson === undefined || actualJson === undefined || expectedJson === actualJson) {
    fail(what, truncate(inspectValue(expected)), truncate(inspectValue(actual)));
  }
  fail(what, truncate(expectedJson), truncate(actualJson));
}

function show(value: unknown): string {
  return truncate(toJson(value) ?? inspectValue(value));
}

/** undefined when the value has no faithful JSON form. */
function toJson(value: unknown): string | undefined {
  // Top-level numbers: JSON would show NaN and Infinity as null, and -0 as 0.
  if (typeof value === 'number') return undefined;
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    return undefined; // a cycle
  }
}

function inspectValue(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: Number.POSITIVE_INFINITY });
}

function truncate(text: string): string {
  if (text.length <= MAX_SHOWN_CHARS) return text;
  return `${text.slice(0, MAX_SHOWN_CHARS)}… (${text.length - MAX_SHOWN_CHARS} more chars)`;
}
