// What a scenario is: a topology, the overlays it needs, and steps run in order against the
// booted lab. Scenarios only see ScenarioContext, so this layer never touches a VM directly.
import type { KubeClient } from '../cluster/kube-client.js';
import type { DeployOutcome } from '../deploy/deploy.js';
import type { CaptureLimits } from '../hostnet/capture.js';
import type { LabPlan } from '../topology/plan.js';
import type { Topology } from '../topology/schema.js';
import { UsageError } from '../util/errors.js';
import type { ExecResult } from '../util/exec-result.js';

export type { ExecResult };

export interface ExecOptions {
  timeoutMs?: number;
  /** Written to the command's stdin. */
  input?: string;
}

export interface RetryUntilOptions {
  /** Budget across all attempts (default DEFAULT_RETRY_TIMEOUT_MS). */
  timeoutMs?: number;
  intervalMs?: number;
}

/** A test case another runner ran inside a step (e.g. one of Kubernetes' e2e tests). */
export interface ReportedCase {
  /** As that runner names it; the reports use it unchanged. */
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  durationMs: number;
  failure?: string;
}

/** Options of `lab test` that scenarios running another test runner pass on to it. */
export interface ScenarioParams {
  /** Run only the tests whose names match (a regular expression). */
  focus?: string;
  /** Never run the tests whose names match. */
  skip?: string;
}

export interface ScenarioContext {
  /** Every VM, NIC and address. */
  plan: LabPlan;
  /** 'kvm' | 'tcg' */
  accel: string;
  /** Runs a shell command on a VM over SSH; never throws on a non-zero exit. */
  exec(vm: string, command: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * kubectl as the lab's admin (labs with Kubernetes); `args` is a shell word list, e.g.
   * "get pod p -o jsonpath='{.status.podIPs}'". Runs the lab's own kubectl on the host through
   * the API server forward (a kubectl process inside a TCG VM costs seconds of the control
   * plane's CPU), else on vm-001 over SSH. Never throws on a non-zero exit.
   */
  kubectl(args: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * The lab's Kubernetes API, typed (labs with Kubernetes): get, list, apply, delete, waits
   * that watch, exec into pods. Scenarios use this, not kubectl: no process per call, one
   * kept-alive connection, answers checked by schemas.
   */
  kube: KubeClient;
  /** Like exec, but throws CommandFailure (a StepFailure) on a non-zero exit; returns stdout. */
  sh(vm: string, command: string, opts?: ExecOptions): Promise<string>;
  /** Calls fn until it resolves; on timeout the error names `what` and fn's last error. */
  retryUntil<T>(what: string, fn: () => Promise<T>, opts?: RetryUntilOptions): Promise<T>;
  /** Goes into the step's output (JUnit system-out). */
  log(message: string): void;
  /** Aborted when the step times out, so long waits inside a step can stop early. */
  signal: AbortSignal;
  /** For programs a step runs on the host against the lab (e.g. Kubernetes' e2e.test). */
  host: {
    /** The lab admin's kubeconfig, dialing the API server through the lab's host forward. */
    kubeconfig(): Promise<string>;
    /** This scenario's own folder in the results (made on demand by whoever writes there). */
    outputDir: string;
    /**
     * `lab deploy NAME [--src PATH]` on this lab: builds NAME from the Go checkout at `src` (or
     * takes the overlay's pinned build) and puts it on every node; returns what runs now.
     */
    deploy(name: string, src?: string): Promise<DeployOutcome>;
    /**
     * tcpdump on net `net`'s bridge in the lab's namespace until its limits (give `count` or
     * `seconds`): the packets as tcpdump -nn prints them, one line each.
     */
    capture(net: number, limits: CaptureLimits): Promise<{ captured: number; lines: string[] }>;
  };
  params: ScenarioParams;
  /**
   * The namespace this scenario's own Kubernetes objects go in (`lab-<scenario>`), so a run
   * never touches what people made in the lab; the scenario makes it (support/namespace.ts)
   * and removes it in its cleanup.
   */
  namespace: string;
  /** Cases another runner ran in this step: reported after the step, under their own names. */
  report(cases: ReportedCase[]): void;
}

export const DEFAULT_STEP_TIMEOUT_MS = 120_000;
export const DEFAULT_RETRY_TIMEOUT_MS = 60_000;

export interface Step {
  name: string;
  /** Default DEFAULT_STEP_TIMEOUT_MS. */
  timeoutMs?: number;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface Scenario {
  name: string;
  description: string;
  topology: Topology;
  overlays: string[];
  steps: Step[];
  /**
   * Runs after the steps whatever happened (a failed step skips the rest, which would have
   * cleaned up): removes what the scenario made, so a failed run leaves no pods behind. Reported
   * as a step only when it fails.
   */
  cleanup?: Step;
  /**
   * About how many minutes it runs under TCG, boot included (default 1): how `--shard` splits a
   * suite when no measured durations are given.
   */
  weight?: number;
}

/** The namespace of a scenario's own objects: a DNS label, as scenario names are. */
export function scenarioNamespace(scenario: string): string {
  return `lab-${scenario}`.slice(0, 63).replace(/-+$/, '');
}

/** The reports add a test case of this name when booting the lab fails, so no step may use it. */
export const SETUP_CASE_NAME = 'setup';

/**
 * Returns the scenario unchanged after checking what the reports rely on: step names are the
 * JUnit test case names, so they must be non-empty and unique within the scenario.
 */
export function defineScenario(scenario: Scenario): Scenario {
  if (scenario.name.trim() === '') throw new UsageError('a scenario needs a name');
  const where = `scenario ${scenario.name}`;
  const seen = new Set<string>();
  for (const step of scenario.steps) {
    if (step.name.trim() === '') throw new UsageError(`${where}: a step has no name`);
    if (step.name === SETUP_CASE_NAME) {
      throw new UsageError(`${where}: the step name "${SETUP_CASE_NAME}" is reserved for boot failures`);
    }
    if (seen.has(step.name)) throw new UsageError(`${where}: step "${step.name}" appears twice`);
    if (step.timeoutMs !== undefined && !(step.timeoutMs > 0)) {
      throw new UsageError(`${where}: step "${step.name}" has timeoutMs ${step.timeoutMs}; it must be > 0`);
    }
    seen.add(step.name);
  }
  if (scenario.cleanup && seen.has(scenario.cleanup.name))
    throw new UsageError(`${where}: the cleanup step's name "${scenario.cleanup.name}" is a step's name too`);
  return scenario;
}

/** An assertion failure inside a step: the report shows its message as the reason. */
export class StepFailure extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepFailure';
  }
}

/** Thrown by ctx.sh: the command is the assertion, so its failure is a StepFailure too. */
export class CommandFailure extends StepFailure {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    readonly vm: string,
    readonly command: string,
    result: ExecResult,
  ) {
    super(commandFailureMessage(vm, command, result));
    this.name = 'CommandFailure';
    this.code = result.code;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** Enough stderr to see why, without pasting a whole `kubectl describe` into the message. */
const STDERR_TAIL_LINES = 20;

// The first line stands alone in progress output, so it carries the VM, command and exit code;
// the stderr tail follows on later lines.
function commandFailureMessage(vm: string, command: string, { code, stderr }: ExecResult): string {
  const commandLines = command.trim().split('\n');
  const shownCommand = commandLines.length > 1 ? `${commandLines[0]} …` : commandLines[0];
  const headline = `${vm}: \`${shownCommand}\` exited with code ${code}`;
  if (stderr.trim() === '') return `${headline} (no stderr)`;
  const stderrLines = stderr.trimEnd().split('\n');
  const omitted = stderrLines.length - STDERR_TAIL_LINES;
  const tail = omitted > 0 ? [`… (${omitted} earlier lines)`, ...stderrLines.slice(omitted)] : stderrLines;
  return [headline, ...tail].join('\n');
}
