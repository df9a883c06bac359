// Builders shared by the scenario and report tests: a fake lab handle and hand-made results.
import type { ExecResult, Scenario, Step } from '../../lab/scenario/define.js';
import type { LabHandle, ScenarioResult, StepResult } from '../../lab/scenario/runner.js';
import type { LabPlan } from '../../lab/topology/plan.js';

export const emptyPlan: LabPlan = { name: 'tlab', netns: 'lab-tlab', nets: [], nodes: [] };

export interface ExecCall {
  vm: string;
  command: string;
  opts: { timeoutMs?: number; input?: string } | undefined;
}

/** A lab whose exec answers from `respond` and records every call. */
export function fakeLab(respond: (call: ExecCall) => ExecResult = () => ok('')): LabHandle & {
  calls: ExecCall[];
} {
  const calls: ExecCall[] = [];
  return {
    plan: emptyPlan,
    accel: 'tcg',
    calls,
    async exec(vm, command, opts) {
      const call = { vm, command, opts };
      calls.push(call);
      return respond(call);
    },
    async kubectl(args, opts) {
      const call = { vm: 'kubectl', command: args, opts };
      calls.push(call);
      return respond(call);
    },
  };
}

export const ok = (stdout: string): ExecResult => ({ code: 0, stdout, stderr: '' });

export function scenarioOf(steps: Step[], name = 'demo'): Scenario {
  return { name, description: `the ${name} scenario`, topology: {}, overlays: [], steps };
}

export function stepResult(overrides: Partial<StepResult> & Pick<StepResult, 'name' | 'status'>): StepResult {
  return { durationMs: 1000, startedAt: '2024-05-06T07:08:09.000Z', output: [], ...overrides };
}

export function scenarioResult(steps: StepResult[], overrides: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: 'demo',
    description: 'the demo scenario',
    accel: 'kvm',
    lab: 'tlab',
    status: steps.some((s) => s.status === 'failed') ? 'failed' : 'passed',
    startedAt: '2024-05-06T07:08:09.000Z',
    durationMs: steps.reduce((sum, s) => sum + s.durationMs, 0),
    steps,
    ...overrides,
  };
}
