import { describe, expect, it } from 'vitest';
import { StepFailure } from '../../lab/scenario/define.js';
import {
  expectDeepEqual,
  expectEqual,
  expectIncludes,
  expectMatch,
  expectTrue,
} from '../../lab/scenario/expect.js';

/** The StepFailure message thrown by `assertion`; fails the test if nothing (or something else) is thrown. */
function failureOf(assertion: () => unknown): string {
  try {
    assertion();
  } catch (error) {
    expect(error).toBeInstanceOf(StepFailure);
    return (error as StepFailure).message;
  }
  throw new Error('expected the assertion to throw');
}

describe('expectEqual', () => {
  it('passes on equal values, NaN included', () => {
    expect(() => expectEqual(3, 3, 'count')).not.toThrow();
    expect(() => expectEqual(Number.NaN, Number.NaN, 'nan')).not.toThrow();
  });

  it('states expected and actual, with strings quoted', () => {
    expect(failureOf(() => expectEqual('eth1 ', 'eth1', 'NIC name'))).toBe(
      'NIC name: expected "eth1", got "eth1 "',
    );
    expect(failureOf(() => expectEqual(2, 3, 'NIC count'))).toBe('NIC count: expected 3, got 2');
  });

  it('shows values JSON would hide', () => {
    expect(failureOf(() => expectEqual<number | undefined>(undefined, Number.NaN, 'x'))).toBe(
      'x: expected NaN, got undefined',
    );
    expect(failureOf(() => expectEqual(-0, 0, 'zero'))).toBe('zero: expected 0, got -0');
  });

  it('compares objects by identity', () => {
    expect(() => expectEqual({ a: 1 }, { a: 1 }, 'same object')).toThrow(StepFailure);
  });
});

describe('expectDeepEqual', () => {
  it('passes on structurally equal values', () => {
    expect(() => expectDeepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }, 'tree')).not.toThrow();
  });

  it('shows both sides as JSON', () => {
    expect(failureOf(() => expectDeepEqual({ mtu: 1500, up: true }, { mtu: 9000, up: true }, 'eth2'))).toBe(
      'eth2: expected {"mtu":9000,"up":true}, got {"mtu":1500,"up":true}',
    );
  });

  it('is strict about types', () => {
    expect(failureOf(() => expectDeepEqual<unknown>(['1'], [1], 'ids'))).toBe('ids: expected [1], got ["1"]');
  });

  it('falls back to inspect when the JSON of both sides is the same', () => {
    expect(failureOf(() => expectDeepEqual<object>({ a: undefined }, {}, 'obj'))).toBe(
      'obj: expected {}, got { a: undefined }',
    );
    expect(failureOf(() => expectDeepEqual(new Map([['k', 1]]), new Map([['k', 2]]), 'map'))).toBe(
      "map: expected Map(1) { 'k' => 2 }, got Map(1) { 'k' => 1 }",
    );
  });

  it('cuts very long values', () => {
    const message = failureOf(() => expectDeepEqual('x'.repeat(5000), 'y', 'output'));
    expect(message).toMatch(/^output: expected "y", got "x{1999}… \(3002 more chars\)$/);
  });
});

describe('expectMatch', () => {
  it('returns the match with its groups', () => {
    const match = expectMatch('inet 192.168.1.1/24 brd', /inet (\S+)\//, 'address');
    expect(match[1]).toBe('192.168.1.1');
  });

  it('keeps groups for a /g pattern and ignores its lastIndex', () => {
    const pattern = /mtu (\d+)/g;
    pattern.lastIndex = 100;
    expect(expectMatch('eth0: mtu 1500', pattern, 'mtu')[1]).toBe('1500');
  });

  it('shows the pattern and the text on failure', () => {
    expect(failureOf(() => expectMatch('state DOWN\n', /state UP/, 'eth1 state'))).toBe(
      'eth1 state: expected text matching /state UP/, got "state DOWN\\n"',
    );
  });
});

describe('expectIncludes', () => {
  it('finds items by value', () => {
    expect(() => expectIncludes(['eth0', 'eth1'], 'eth1', 'NICs')).not.toThrow();
    expect(() => expectIncludes([{ net: 1 }, { net: 2 }], { net: 2 }, 'nets')).not.toThrow();
  });

  it('shows the item and the list on failure', () => {
    expect(failureOf(() => expectIncludes(['eth0', 'eth1'], 'eth3', 'NICs on vm-001'))).toBe(
      'NICs on vm-001: expected a list including "eth3", got ["eth0","eth1"]',
    );
  });
});

describe('expectTrue', () => {
  it('passes on truthy values', () => {
    expect(() => expectTrue(1, 'one')).not.toThrow();
  });

  it('shows the falsy value on failure', () => {
    expect(failureOf(() => expectTrue(false, 'pod is ready'))).toBe('pod is ready: expected true, got false');
    expect(failureOf(() => expectTrue(undefined, 'found'))).toBe('found: expected true, got undefined');
    expect(failureOf(() => expectTrue('', 'output'))).toBe('output: expected true, got ""');
  });
});
