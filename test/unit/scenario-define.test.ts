import { describe, expect, it } from 'vitest';
import { CommandFailure, defineScenario, type Step, StepFailure } from '../../lab/scenario/define.js';
import { UsageError } from '../../lab/util/errors.js';
import { scenarioOf } from './scenario-fixtures.js';

const step = (name: string, timeoutMs?: number): Step => ({ name, timeoutMs, run: async () => {} });

describe('defineScenario', () => {
  it('returns the scenario it was given', () => {
    const scenario = scenarioOf([step('a'), step('b', 5000)]);
    expect(defineScenario(scenario)).toBe(scenario);
  });

  it.each([
    ['an empty scenario name', { ...scenarioOf([step('a')]), name: ' ' }, 'a scenario needs a name'],
    ['an empty step name', scenarioOf([step('')]), 'scenario demo: a step has no name'],
    ['a repeated step name', scenarioOf([step('a'), step('a')]), 'scenario demo: step "a" appears twice'],
    [
      'the reserved name "setup"',
      scenarioOf([step('setup')]),
      'scenario demo: the step name "setup" is reserved for boot failures',
    ],
    ['a zero timeout', scenarioOf([step('a', 0)]), 'scenario demo: step "a" has timeoutMs 0; it must be > 0'],
  ])('rejects %s', (_label, scenario, message) => {
    expect(() => defineScenario(scenario)).toThrow(UsageError);
    expect(() => defineScenario(scenario)).toThrow(message);
  });
});

describe('CommandFailure', () => {
  it('is a StepFailure that keeps the whole result', () => {
    const failure = new CommandFailure('vm-001', 'false', { code: 1, stdout: 'out', stderr: 'err' });
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure.name).toBe('CommandFailure');
    expect([failure.vm, failure.command, failure.code, failure.stdout, failure.stderr]).toEqual([
      'vm-001',
      'false',
      1,
      'out',
      'err',
    ]);
  });

  it('says so when there was no stderr', () => {
    const failure = new CommandFailure('vm-001', 'false', { code: 1, stdout: '', stderr: '\n' });
    expect(failure.message).toBe('vm-001: `false` exited with code 1 (no stderr)');
  });

  it('shows only the first line of a multi-line command in the headline', () => {
    const failure = new CommandFailure('vm-003', 'set -e\nip link\nip addr\n', {
      code: 3,
      stdout: '',
      stderr: 'boom',
    });
    expect(failure.message).toBe('vm-003: `set -e …` exited with code 3\nboom');
    expect(failure.command).toBe('set -e\nip link\nip addr\n');
  });

  it('keeps only the last 20 lines of a long stderr in the message', () => {
    const stderr = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join('\n');
    const failure = new CommandFailure('vm-001', 'noisy', { code: 1, stdout: '', stderr });
    const lines = failure.message.split('\n');
    expect(lines[1]).toBe('… (5 earlier lines)');
    expect(lines.slice(2)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 6}`));
    expect(failure.stderr).toBe(stderr);
  });
});
