import { describe, expect, it } from 'vitest';
import { formatStepLine, summaryLine } from '../../lab/report/summary.js';
import { setupFailedResult } from '../../lab/scenario/runner.js';
import { scenarioOf, scenarioResult, stepResult } from './scenario-fixtures.js';

const steps = (status: 'passed' | 'failed' | 'skipped', n: number, prefix = status) =>
  Array.from({ length: n }, (_, i) => stepResult({ name: `${prefix} ${i}`, status }));

describe('summaryLine', () => {
  it('counts steps across scenarios', () => {
    const results = [
      scenarioResult([...steps('passed', 4), ...steps('failed', 1), ...steps('skipped', 2)]),
      scenarioResult(steps('passed', 3)),
    ];
    expect(summaryLine(results)).toBe('7 passed, 1 failed, 2 skipped');
  });

  it('leaves out skipped when nothing was skipped', () => {
    expect(summaryLine([scenarioResult([...steps('passed', 2), ...steps('failed', 1)])])).toBe(
      '2 passed, 1 failed',
    );
  });

  it('always shows passed and failed', () => {
    expect(summaryLine([])).toBe('0 passed, 0 failed');
  });

  it('counts a failed setup as a failure', () => {
    const scenario = scenarioOf([
      { name: 'a', run: async () => {} },
      { name: 'b', run: async () => {} },
    ]);
    const result = setupFailedResult(scenario, {
      accel: 'tcg',
      lab: 'tlab',
      startedAt: new Date(),
      durationMs: 10,
      error: new Error('qemu exited'),
    });
    expect(summaryLine([result])).toBe('0 passed, 1 failed, 2 skipped');
  });
});

describe('formatStepLine', () => {
  it('marks a passed step with its duration', () => {
    expect(
      formatStepLine(stepResult({ name: 'every VM has its NICs', status: 'passed', durationMs: 2140 })),
    ).toBe('  ✓ every VM has its NICs (2.1 s)');
  });

  it('adds the first line of a failure', () => {
    const result = stepResult({
      name: 'ping',
      status: 'failed',
      durationMs: 300,
      failure: { message: 'vm-001: `ping -c1 x` exited with code 1\nno route', stack: 'Error: ...' },
    });
    expect(formatStepLine(result)).toBe('  ✗ ping (0.3 s): vm-001: `ping -c1 x` exited with code 1');
  });

  it('marks a skipped step without a duration', () => {
    expect(formatStepLine(stepResult({ name: 'later', status: 'skipped', durationMs: 0 }))).toBe(
      '  - later (skipped)',
    );
  });
});
