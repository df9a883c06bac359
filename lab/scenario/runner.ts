// Runs a scenario's steps in order against a lab handle and records what happened, for the
// progress output and the JUnit report. Booting the lab is the caller's job.
import { KubeClient } from '../cluster/kube-client.js';
import { LabError } from '../util/errors.js';
import { retryUntil } from '../util/retry.js';
import {
  CommandFailure,
  DEFAULT_RETRY_TIMEOUT_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  type ReportedCase,
  type Scenario,
  type ScenarioContext,
  SETUP_CASE_NAME,
  type Step,
  scenarioNamespace,
} from './define.js';

export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface FailureInfo {
  message: string;
  stack?: string;
}

export interface StepResult {
  name: string;
  status: StepStatus;
  durationMs: number;
  /** ISO 8601. */
  startedAt: string;
  failure?: FailureInfo;
  /** Lines from ctx.log. */
  output: string[];
}

/** Booting the lab before the steps; recorded only by callers that boot. */
export interface SetupResult {
  name: string;
  status: 'passed' | 'failed';
  durationMs: number;
  failure?: FailureInfo;
  /** How the lab came up: booted cold, or restored from this snapshot. */
  restoredFrom?: string;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  accel: string;
  /** The lab's name (LabPlan.name). */
  lab: string;
  status: 'passed' | 'failed';
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  setup?: SetupResult;
  /** Where it ran, when the report merges several runs (lab report merge): that run's title and host. */
  ranIn?: string;
  /** What ran that is not just the overlays' pinned builds: built from a checkout (lab start --src), deployed (lab deploy). */
  builds?: string[];
}

/** What the caller provides; the runner adds the per-step parts (log, signal, sh, retryUntil). */
export type LabHandle = Omit<
  ScenarioContext,
  'log' | 'signal' | 'retryUntil' | 'sh' | 'report' | 'host' | 'params' | 'kube' | 'namespace'
> &
  Partial<Pick<ScenarioContext, 'host' | 'params' | 'kube'>>;

export interface RunOptions {
  /** Called once per step, in order, including skipped steps: drives progress output. */
  onStep?(result: StepResult): void;
  /** Default true: after a failed step the rest are skipped, since they build on it. */
  failFast?: boolean;
}

export async function runSteps(
  scenario: Scenario,
  lab: LabHandle,
  opts: RunOptions = {},
): Promise<ScenarioResult> {
  const { onStep, failFast = true } = opts;
  const startedAt = new Date();
  const steps: StepResult[] = [];
  const namespace = scenarioNamespace(scenario.name);
  for (const step of scenario.steps) {
    const skip = failFast && steps.some((r) => r.status === 'failed');
    const { result, reported } = skip
      ? { result: skippedStep(step), reported: [] }
      : await runStep(step, lab, namespace);
    for (const each of [result, ...reported]) {
      steps.push(each);
      onStep?.(each);
    }
  }
  if (scenario.cleanup) {
    const { result } = await runStep(scenario.cleanup, lab, namespace);
    if (result.status === 'failed') {
      steps.push(result);
      onStep?.(result);
    }
  }
  return {
    scenario: scenario.name,
    description: scenario.description,
    accel: lab.accel,
    lab: lab.plan.name,
    status: steps.some((r) => r.status === 'failed') ? 'failed' : 'passed',
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    steps,
  };
}

/** The result when the lab never booted: the setup case carries the error, every step is skipped. */
export function setupFailedResult(
  scenario: Scenario,
  info: { accel: string; lab: string; startedAt: Date; durationMs: number; error: unknown },
): ScenarioResult {
  return {
    scenario: scenario.name,
    description: scenario.description,
    accel: info.accel,
    lab: info.lab,
    status: 'failed',
    startedAt: info.startedAt.toISOString(),
    durationMs: info.durationMs,
    steps: scenario.steps.map(skippedStep),
    setup: {
      name: SETUP_CASE_NAME,
      status: 'failed',
      durationMs: info.durationMs,
      failure: describeFailure(info.error),
    },
  };
}

/** The error a step fails with when it runs out of time. */
export class StepTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`step timed out after ${formatSeconds(timeoutMs)}`);
    this.name = 'StepTimeout';
  }
}

async function runStep(
  step: Step,
  lab: LabHandle,
  namespace: string,
): Promise<{ result: StepResult; reported: StepResult[] }> {
  const startedAt = new Date();
  const output: string[] = [];
  const reported: StepResult[] = [];
  const controller = new AbortController();
  // A step that timed out may still be running; its late log lines would land in a result that
  // has already been reported, so they are dropped.
  let finished = false;
  const log = (message: string) => {
    if (!finished) output.push(message);
  };
  const report = (cases: ReportedCase[]) => {
    if (!finished) reported.push(...cases.map((c) => reportedCase(c, startedAt)));
  };
  const ctx = stepContext(lab, namespace, log, report, controller.signal);

  let failure: FailureInfo | undefined;
  const callsBefore = await ctx.kube.calls();
  try {
    await withTimeout(() => step.run(ctx), step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, controller);
  } catch (error) {
    failure = describeFailure(error);
  } finally {
    // What the step cost the API server (bench/scenario.ts reads this line).
    const calls = (await ctx.kube.calls()) - callsBefore;
    if (calls > 0) log(`${API_CALLS_PREFIX}${calls}`);
    finished = true;
  }
  const result: StepResult = {
    name: step.name,
    status: failure ? 'failed' : 'passed',
    durationMs: Date.now() - startedAt.getTime(),
    startedAt: startedAt.toISOString(),
    output,
  };
  if (failure) result.failure = failure;
  return { result, reported };
}

function reportedCase(c: ReportedCase, startedAt: Date): StepResult {
  return {
    name: c.name,
    status: c.status,
    durationMs: c.durationMs,
    startedAt: startedAt.toISOString(),
    output: [],
    ...(c.failure !== undefined ? { failure: { message: c.failure } } : {}),
  };
}

/** Starts the step output line that counts the step's Kubernetes API calls. */
export const API_CALLS_PREFIX = 'kubernetes API calls: ';

// Labs without Kubernetes (and unit tests' fake labs): a client that says so when used.
const NO_KUBE = new KubeClient(() =>
  Promise.reject(new LabError('this lab has no Kubernetes API (only labs with the k8s overlay have one)')),
);

const NO_HOST: ScenarioContext['host'] = {
  kubeconfig: () => Promise.reject(new Error('this lab handle has no host access')),
  outputDir: '',
  deploy: () => Promise.reject(new Error('this lab handle has no host access')),
  capture: () => Promise.reject(new Error('this lab handle has no host access')),
};

function skippedStep(step: Step): StepResult {
  return {
    name: step.name,
    status: 'skipped',
    durationMs: 0,
    startedAt: new Date().toISOString(),
    output: [],
  };
}

function stepContext(
  lab: LabHandle,
  namespace: string,
  log: (message: string) => void,
  report: (cases: ReportedCase[]) => void,
  signal: AbortSignal,
): ScenarioContext {
  return {
    host: lab.host ?? NO_HOST,
    params: lab.params ?? {},
    namespace,
    report,
    plan: lab.plan,
    accel: lab.accel,
    exec: (vm, command, execOpts) => lab.exec(vm, command, execOpts),
    kubectl: (args, execOpts) => lab.kubectl(args, execOpts),
    kube: lab.kube ?? NO_KUBE,
    async sh(vm, command, execOpts) {
      const result = await lab.exec(vm, command, execOpts);
      if (result.code !== 0) throw new CommandFailure(vm, command, result);
      return result.stdout;
    },
    retryUntil: (what, fn, retryOpts = {}) =>
      retryUntil(() => fn(), {
        what,
        timeoutMs: retryOpts.timeoutMs ?? DEFAULT_RETRY_TIMEOUT_MS,
        intervalMs: retryOpts.intervalMs,
        // Stops retrying once the step has timed out instead of running on in the background.
        signal,
      }),
    log,
    signal,
  };
}

/**
 * Settles with `run`, or rejects with StepTimeout after `timeoutMs` and aborts `controller`.
 * A step that ignores the signal is abandoned, not awaited: the next step must not wait on it.
 */
function withTimeout(
  run: () => Promise<void>,
  timeoutMs: number,
  controller: AbortController,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      const timeout = new StepTimeout(timeoutMs);
      controller.abort(timeout);
      reject(timeout);
    }, timeoutMs);
    // Wrapped so a step that throws synchronously fails like one that rejects. Once the timer
    // has rejected, a late settlement here is ignored (a promise settles once), and it is
    // handled, so it cannot surface as an unhandled rejection.
    void new Promise<void>((settle) => settle(run()))
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
}

export function describeFailure(error: unknown): FailureInfo {
  // A timeout's stack points into the runner, which says nothing about the step.
  if (error instanceof StepTimeout) return { message: error.message };
  if (error instanceof Error) {
    const failure: FailureInfo = { message: error.message || error.name };
    if (error.stack) failure.stack = error.stack;
    return failure;
  }
  return { message: String(error) };
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}
