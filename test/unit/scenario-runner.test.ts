import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandFailure, type Step, StepFailure, scenarioNamespace } from '../../lab/scenario/define.js';
import { runSteps, StepTimeout } from '../../lab/scenario/runner.js';
import { RetryTimeoutError } from '../../lab/util/retry.js';
import { fakeLab, ok, scenarioOf } from './scenario-fixtures.js';

const passing = (name: string, events: string[] = []): Step => ({
  name,
  async run() {
    events.push(name);
  },
});

const failing = (name: string, error: unknown): Step => ({
  name,
  async run() {
    throw error;
  },
});

describe('runSteps', () => {
  it("gives every step and the cleanup the scenario's own namespace, lab-<scenario>", async () => {
    const seen: string[] = [];
    const record: Step = { name: 'a', run: async (ctx) => void seen.push(ctx.namespace) };
    const scenario = { ...scenarioOf([record]), cleanup: { ...record, name: 'cleanup' } };
    await runSteps({ ...scenario, name: 'multus-thick-flannel' }, fakeLab());
    expect(seen).toEqual(['lab-multus-thick-flannel', 'lab-multus-thick-flannel']);
    expect(scenarioNamespace('x'.repeat(70))).toMatch(/^lab-x{59}$/);
  });

  it('runs the steps one after another, in order', async () => {
    const events: string[] = [];
    const slow: Step = {
      name: 'slow',
      async run() {
        events.push('slow start');
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push('slow end');
      },
    };
    const result = await runSteps(scenarioOf([passing('a', events), slow, passing('b', events)]), fakeLab());
    expect(events).toEqual(['a', 'slow start', 'slow end', 'b']);
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'passed'],
      ['slow', 'passed'],
      ['b', 'passed'],
    ]);
    expect(result.steps[1]?.durationMs).toBeGreaterThanOrEqual(15);
  });

  it('reports the cases another runner ran in a step after it, under their own names', async () => {
    const seen: string[] = [];
    const external: Step = {
      name: 'e2e',
      async run(ctx) {
        ctx.report([
          { name: '[sig-network] DNS should work [Conformance]', status: 'passed', durationMs: 1200 },
          {
            name: '[sig-network] Services should too',
            status: 'failed',
            durationMs: 900,
            failure: 'timed out',
          },
        ]);
        throw new StepFailure('1 of 2 failed');
      },
    };
    const result = await runSteps(scenarioOf([passing('before'), external, passing('after')]), fakeLab(), {
      onStep: (step) => seen.push(`${step.name}: ${step.status}`),
    });
    expect(seen).toEqual([
      'before: passed',
      'e2e: failed',
      '[sig-network] DNS should work [Conformance]: passed',
      '[sig-network] Services should too: failed',
      'after: skipped',
    ]);
    expect(result.steps[3]).toMatchObject({ durationMs: 900, failure: { message: 'timed out' } });
    expect(result.status).toBe('failed');
  });

  it('describes the scenario, lab and accel in the result', async () => {
    const result = await runSteps(scenarioOf([passing('a')], 'named'), fakeLab());
    expect(result).toMatchObject({
      scenario: 'named',
      description: 'the named scenario',
      accel: 'tcg',
      lab: 'tlab',
      status: 'passed',
    });
    expect(Date.parse(result.startedAt)).not.toBeNaN();
    expect(Date.parse(result.steps[0]?.startedAt ?? '')).not.toBeNaN();
    expect(result.setup).toBeUndefined();
  });

  it('skips the steps after a failure and marks the scenario failed', async () => {
    const events: string[] = [];
    const result = await runSteps(
      scenarioOf([passing('a', events), failing('b', new StepFailure('b broke')), passing('c', events)]),
      fakeLab(),
    );
    expect(events).toEqual(['a']);
    expect(result.status).toBe('failed');
    expect(result.steps.map((s) => s.status)).toEqual(['passed', 'failed', 'skipped']);
    expect(result.steps[1]?.failure?.message).toBe('b broke');
    expect(result.steps[2]).toMatchObject({ name: 'c', durationMs: 0, output: [] });
  });

  it('runs the cleanup after a failure, and reports it only when it fails', async () => {
    const events: string[] = [];
    const scenario = (cleanup: Step) => ({
      ...scenarioOf([passing('a', events), failing('b', new StepFailure('b broke'))]),
      cleanup,
    });
    const quiet = await runSteps(scenario(passing('cleanup', events)), fakeLab());
    expect(events).toEqual(['a', 'cleanup']);
    expect(quiet.steps.map((s) => s.name)).toEqual(['a', 'b']);
    const loud = await runSteps(scenario(failing('cleanup', new StepFailure('pods left'))), fakeLab());
    expect(loud.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'passed'],
      ['b', 'failed'],
      ['cleanup', 'failed'],
    ]);
    const passed = await runSteps(
      { ...scenarioOf([passing('a')]), cleanup: failing('cleanup', new StepFailure('pods left')) },
      fakeLab(),
    );
    expect(passed.status).toBe('failed');
  });

  it('runs the remaining steps after a failure when failFast is false', async () => {
    const events: string[] = [];
    const result = await runSteps(
      scenarioOf([failing('a', new StepFailure('no')), passing('b', events), passing('c', events)]),
      fakeLab(),
      { failFast: false },
    );
    expect(events).toEqual(['b', 'c']);
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'passed', 'passed']);
    expect(result.status).toBe('failed');
  });

  it('reports every step to onStep as it finishes, skipped ones included', async () => {
    const seen: string[] = [];
    await runSteps(scenarioOf([passing('a'), failing('b', new StepFailure('x')), passing('c')]), fakeLab(), {
      onStep: (r) => seen.push(`${r.name}:${r.status}`),
    });
    expect(seen).toEqual(['a:passed', 'b:failed', 'c:skipped']);
  });

  it('keeps the message and stack of an error that is not a StepFailure', async () => {
    const result = await runSteps(
      scenarioOf([failing('a', new TypeError('x is not a function'))]),
      fakeLab(),
    );
    expect(result.steps[0]?.status).toBe('failed');
    expect(result.steps[0]?.failure?.message).toBe('x is not a function');
    expect(result.steps[0]?.failure?.stack).toContain('TypeError: x is not a function');
  });

  it('fails a step that throws synchronously or throws a non-Error', async () => {
    const syncThrow: Step = {
      name: 'sync',
      run() {
        throw new Error('thrown before any await');
      },
    };
    const result = await runSteps(scenarioOf([syncThrow, failing('string', 'just a string')]), fakeLab(), {
      failFast: false,
    });
    expect(result.steps.map((s) => s.failure?.message)).toEqual(['thrown before any await', 'just a string']);
  });

  it('collects ctx.log lines per step', async () => {
    const logging = (name: string, lines: string[]): Step => ({
      name,
      async run(ctx) {
        for (const line of lines) ctx.log(line);
      },
    });
    const result = await runSteps(
      scenarioOf([logging('a', ['one', 'two']), logging('b', ['three'])]),
      fakeLab(),
    );
    expect(result.steps.map((s) => s.output)).toEqual([['one', 'two'], ['three']]);
  });

  it('keeps the log of a failed step', async () => {
    const step: Step = {
      name: 'a',
      async run(ctx) {
        ctx.log('before the failure');
        throw new StepFailure('bad');
      },
    };
    const result = await runSteps(scenarioOf([step]), fakeLab());
    expect(result.steps[0]?.output).toEqual(['before the failure']);
  });

  it('passes the plan and accel through to the step', async () => {
    const lab = fakeLab();
    let seen: unknown;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        seen = { plan: ctx.plan, accel: ctx.accel };
      },
    };
    await runSteps(scenarioOf([step]), lab);
    expect(seen).toEqual({ plan: lab.plan, accel: 'tcg' });
  });
});

describe('step timeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const hung = (name: string, timeoutMs?: number): Step => ({
    name,
    timeoutMs,
    run: () => new Promise<never>(() => {}),
  });

  it('fails a step that runs past its timeout and moves on', async () => {
    const events: string[] = [];
    const result = await runSteps(scenarioOf([hung('stuck', 30), passing('next', events)]), fakeLab(), {
      failFast: false,
    });
    expect(result.steps[0]?.status).toBe('failed');
    expect(result.steps[0]?.failure).toEqual({ message: 'step timed out after 0.03s' });
    expect(events).toEqual(['next']);
  });

  it('defaults to 120 s', async () => {
    vi.useFakeTimers();
    const done = vi.fn();
    const run = runSteps(scenarioOf([hung('stuck')]), fakeLab()).then((r) => {
      done();
      return r;
    });
    await vi.advanceTimersByTimeAsync(119_999);
    expect(done).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    const result = await run;
    expect(result.steps[0]?.failure?.message).toBe('step timed out after 120s');
    expect(result.steps[0]?.durationMs).toBe(120_000);
  });

  it('aborts ctx.signal with the timeout', async () => {
    let signal: AbortSignal | undefined;
    let abortedAtStart: boolean | undefined;
    const step: Step = {
      name: 'waits on the signal',
      timeoutMs: 20,
      run: (ctx) => {
        signal = ctx.signal;
        abortedAtStart = ctx.signal.aborted;
        return new Promise<never>(() => {});
      },
    };
    await runSteps(scenarioOf([step]), fakeLab());
    expect(abortedAtStart).toBe(false);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(StepTimeout);
  });

  it('does not abort the signal of a step that finishes in time', async () => {
    let signal: AbortSignal | undefined;
    const step: Step = {
      name: 'quick',
      timeoutMs: 20,
      async run(ctx) {
        signal = ctx.signal;
      },
    };
    await runSteps(scenarioOf([step]), fakeLab());
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(signal?.aborted).toBe(false);
  });

  it('drops log lines from a step that keeps running after its timeout', async () => {
    let lateLog: (() => void) | undefined;
    const step: Step = {
      name: 'late',
      timeoutMs: 20,
      run: (ctx) => {
        ctx.log('in time');
        lateLog = () => ctx.log('too late');
        return new Promise<never>(() => {});
      },
    };
    const result = await runSteps(scenarioOf([step]), fakeLab());
    lateLog?.();
    expect(result.steps[0]?.output).toEqual(['in time']);
  });

  it('stops a ctx.retryUntil that outlives the step', async () => {
    const attempts = vi.fn(async () => {
      throw new Error('not yet');
    });
    const step: Step = {
      name: 'retrying',
      timeoutMs: 50,
      run: (ctx) => ctx.retryUntil('forever', attempts, { timeoutMs: 10_000, intervalMs: 10 }),
    };
    const result = await runSteps(scenarioOf([step]), fakeLab());
    expect(result.steps[0]?.failure?.message).toBe('step timed out after 0.05s');
    const callsAtTimeout = attempts.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(attempts.mock.calls.length).toBe(callsAtTimeout);
  });
});

describe('ctx.sh and ctx.exec', () => {
  it('returns stdout and passes the options through', async () => {
    const lab = fakeLab(() => ok('eth0\neth1\n'));
    let stdout: string | undefined;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        stdout = await ctx.sh('vm-001', 'ls /sys/class/net', { timeoutMs: 5000, input: 'x' });
      },
    };
    await runSteps(scenarioOf([step]), lab);
    expect(stdout).toBe('eth0\neth1\n');
    expect(lab.calls).toEqual([
      { vm: 'vm-001', command: 'ls /sys/class/net', opts: { timeoutMs: 5000, input: 'x' } },
    ]);
  });

  it('throws a CommandFailure with the exit code and stderr on a non-zero exit', async () => {
    const lab = fakeLab(() => ({ code: 2, stdout: 'partial', stderr: 'ip: cannot find device "eth9"\n' }));
    let caught: unknown;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        try {
          await ctx.sh('vm-002', 'ip link show eth9');
        } catch (error) {
          caught = error;
          throw error;
        }
      },
    };
    const result = await runSteps(scenarioOf([step]), lab);
    expect(caught).toBeInstanceOf(CommandFailure);
    expect(caught).toBeInstanceOf(StepFailure);
    expect(caught).toMatchObject({
      vm: 'vm-002',
      command: 'ip link show eth9',
      code: 2,
      stdout: 'partial',
      stderr: 'ip: cannot find device "eth9"\n',
    });
    expect(result.steps[0]?.failure?.message).toBe(
      'vm-002: `ip link show eth9` exited with code 2\nip: cannot find device "eth9"',
    );
  });

  it('lets exec report a non-zero exit without failing the step', async () => {
    const lab = fakeLab(() => ({ code: 1, stdout: '', stderr: 'no' }));
    let code: number | undefined;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        code = (await ctx.exec('vm-001', 'false')).code;
      },
    };
    const result = await runSteps(scenarioOf([step]), lab);
    expect(code).toBe(1);
    expect(result.steps[0]?.status).toBe('passed');
  });
});

describe('ctx.retryUntil', () => {
  it('returns the value once fn succeeds', async () => {
    let calls = 0;
    let value: string | undefined;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        value = await ctx.retryUntil(
          'the third call',
          async () => {
            if (++calls < 3) throw new Error(`attempt ${calls}`);
            return 'ready';
          },
          { timeoutMs: 2000, intervalMs: 5 },
        );
      },
    };
    const result = await runSteps(scenarioOf([step]), fakeLab());
    expect(result.steps[0]?.status).toBe('passed');
    expect(value).toBe('ready');
    expect(calls).toBe(3);
  });

  it('fails the step with what it waited for and the last error', async () => {
    let calls = 0;
    let caught: unknown;
    const step: Step = {
      name: 'a',
      async run(ctx) {
        try {
          await ctx.retryUntil(
            'eth3 to come up',
            async () => {
              throw new Error(`still down (${++calls})`);
            },
            { timeoutMs: 100, intervalMs: 10 },
          );
        } catch (error) {
          caught = error;
          throw error;
        }
      },
    };
    const result = await runSteps(scenarioOf([step]), fakeLab());
    expect(caught).toBeInstanceOf(RetryTimeoutError);
    expect(result.steps[0]?.failure?.message).toBe(
      `timed out after 0.1s waiting for eth3 to come up: still down (${calls})`,
    );
    expect(calls).toBeGreaterThan(1);
  });
});
