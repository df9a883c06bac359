// `lab test NAME`: start (or reuse) the scenario's lab, run its steps, write the reports,
// keep the evidence on failure, stop the lab.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectlRunner, writeHostKubeconfig } from '../cluster/host-access.js';
import { KubeApi } from '../cluster/kube-api.js';
import { KubeClient } from '../cluster/kube-client.js';
import { deployTo } from '../deploy/deploy.js';
import { type CaptureLimits, captureTarget, runCapture, tcpdumpArgv } from '../hostnet/capture.js';
import { requireState, sshTarget } from '../lifecycle/access.js';
import { saveEvidence } from '../lifecycle/evidence.js';
import { downVmsReport } from '../lifecycle/health.js';
import { removeOnInterrupt } from '../lifecycle/interrupt.js';
import { resolveLab } from '../lifecycle/resolve.js';
import { type SnapshotChoice, startLab } from '../lifecycle/start.js';
import type { LabState } from '../lifecycle/state.js';
import { teardown } from '../lifecycle/teardown.js';
import { toJUnitXml } from '../report/junit.js';
import type { ScenarioRecord } from '../report/results.js';
import type { ConfigLayer } from '../topology/config.js';
import type { Ui } from '../util/ui.js';
import { SshSession } from '../vm/ssh.js';
import { type ExecResult, type Scenario, type ScenarioParams, SETUP_CASE_NAME } from './define.js';
import {
  runSteps,
  type ScenarioResult,
  type SetupResult,
  type StepResult,
  setupFailedResult,
} from './runner.js';

export interface ExecuteOptions {
  ui: Ui;
  layers: ConfigLayer[];
  labName: string;
  resultsDir: string;
  /** Reuse the running lab of that name instead of starting one (and leave it running). */
  noStart: boolean;
  /** Keep the lab up when the scenario fails. */
  keep: boolean;
  /** Restore the lab from a matching snapshot, save one after a cold boot (default), or neither. */
  snapshot?: SnapshotChoice;
  onStep?: (step: StepResult) => void;
  /** Passed on to scenarios that run another test runner (--focus, --skip). */
  params?: ScenarioParams;
}

/** One SSH connection per VM, opened on first use, closed at the end. */
class SessionPool {
  private readonly sessions = new Map<string, Promise<SshSession>>();
  constructor(private readonly state: LabState) {}

  async exec(
    vm: string,
    command: string,
    opts?: { timeoutMs?: number; input?: string },
  ): Promise<ExecResult> {
    let session = this.sessions.get(vm);
    if (!session) {
      session = sshTarget(this.state, vm).then((target) => SshSession.open(target, { timeoutMs: 30_000 }));
      this.sessions.set(vm, session);
    }
    return (await session).exec(command, opts);
  }

  async closeAll(): Promise<void> {
    for (const session of this.sessions.values()) (await session.catch(() => undefined))?.close();
  }
}

// Every unit's log (kubelet, containerd, etcd, …), multus's log and the CNI results containerd
// cached: what explains a failed pod.
const GUEST_LOGS =
  'cd /var/log && for f in lab/*.log multus.log; do [ -f "$f" ] && { echo "==> /var/log/$f"; tail -n 150 "$f"; }; done; ' +
  'for f in /var/lib/cni/results/*; do [ -f "$f" ] && { echo "==> $f"; cat "$f"; echo; }; done; true';

/** Saves each reachable VM's guest logs into the evidence dir (a dead VM is skipped). */
async function collectGuestLogs(pool: SessionPool, state: LabState, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    state.vms.map(async (vm) => {
      const result = await pool.exec(vm.name, GUEST_LOGS, { timeoutMs: 30_000 }).catch(() => undefined);
      if (result) await writeFile(join(dir, `${vm.name}.guest-logs.txt`), result.stdout);
    }),
  );
}

/** The scenario's result, the plan of its lab and where its evidence went. */
export async function executeScenario(scenario: Scenario, options: ExecuteOptions): Promise<ScenarioRecord> {
  const started = Date.now();
  const evidenceDir = join(options.resultsDir, 'logs', scenario.name);
  let state: LabState;
  let setup: SetupResult | undefined;
  // A lab this run starts goes on Ctrl-C too, unless --keep asks to look at it afterwards.
  const release =
    options.noStart || options.keep ? () => undefined : removeOnInterrupt(options.labName, options.ui);
  try {
    if (options.noStart) state = await requireState(options.labName);
    else {
      const { config, overlays } = await resolveLab(options.layers);
      state = await startLab(config, overlays, { ui: options.ui, evidenceDir, snapshot: options.snapshot });
      // Booting is most of a Kubernetes scenario's wall time; the report shows it beside the steps.
      setup = {
        name: SETUP_CASE_NAME,
        status: 'passed',
        durationMs: Date.now() - started,
        restoredFrom: state.snapshot?.name,
      };
    }
  } catch (err) {
    const result = setupFailedResult(scenario, {
      accel: 'unknown',
      lab: options.labName,
      startedAt: new Date(started),
      durationMs: Date.now() - started,
      error: err,
    });
    await writeReports(result, options.resultsDir);
    release();
    return { result, evidenceDir };
  }
  const pool = new SessionPool(state);
  const control = state.plan.nodes[0]?.name ?? 'vm-001';
  const kubectl = await kubectlRunner(state, (command, opts) => pool.exec(control, command, opts));
  const kube = new KubeClient(() => KubeApi.forLab(state));
  let result: ScenarioResult;
  try {
    result = await runSteps(
      scenario,
      {
        plan: state.plan,
        accel: state.accel?.used ?? 'unknown',
        exec: (vm, cmd, opts) => pool.exec(vm, cmd, opts),
        kubectl,
        kube,
        host: {
          kubeconfig: () => writeHostKubeconfig(state),
          outputDir: join(options.resultsDir, scenario.name),
          deploy: (name, src) => deployTo(state, name, src, (line) => options.ui.info(`  ${line}`)),
          capture: (net, limits) => captureNet(state, net, limits),
        },
        params: options.params ?? {},
      },
      { onStep: options.onStep },
    );
    result.lab = state.name;
    if (setup) result.setup = setup;
    const builds = labBuilds(state);
    if (builds.length > 0) result.builds = builds;
    if (result.status === 'failed') await collectGuestLogs(pool, state, evidenceDir);
  } finally {
    await kube.close();
    await pool.closeAll();
  }
  if (result.status === 'failed') {
    await saveEvidence(state, evidenceDir);
    options.ui.warn(`serial logs of every VM saved in ${evidenceDir}`);
    // A dead VM explains the failure better than the step's own error (e.g. an SSH timeout).
    const down = await downVmsReport(state);
    const failed = result.steps.find((s) => s.status === 'failed');
    if (down && failed?.failure) {
      failed.failure.message += `\n${down}`;
      options.ui.warn(down.split('\n')[0] ?? down);
    }
  }
  await writeReports(result, options.resultsDir);
  if (!options.noStart) {
    if (result.status === 'failed' && options.keep)
      options.ui.warn(`--keep: lab "${state.name}" left running; stop it with lab stop --name ${state.name}`);
    else await teardown(state, options.ui);
  }
  release();
  return { result, plan: state.plan, evidenceDir };
}

/** The lab's builds that are not the overlays' pinned ones, as the report names them. */
export function labBuilds(state: LabState): string[] {
  return [
    ...(state.builtFrom ?? []).map((b) => `${b.artifact} ${b.version}, built from ${b.dir} at the start`),
    ...Object.entries(state.deployed ?? {}).map(
      ([name, d]) =>
        `${name} ${d.version}, deployed from ${d.source === 'pinned' ? "the overlay's pinned build" : d.source} (last deploy)`,
    ),
  ];
}

export async function writeReports(result: ScenarioResult, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `junit-${result.scenario}.xml`), toJUnitXml([result]));
  await writeFile(join(dir, `${result.scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
}

/** A scenario's capture: net `net`'s bridge, decoded lines; a limit is required, never Ctrl-C. */
async function captureNet(state: LabState, net: number, limits: CaptureLimits) {
  if (!state.netns) throw new Error(`lab ${state.name} has no namespace to capture in`);
  if (!limits.count && !limits.seconds) throw new Error('a scenario capture needs a count or seconds');
  const { device } = captureTarget(state, undefined, undefined, net);
  return runCapture(tcpdumpArgv(state.netns, device, limits), limits, 'pipe');
}
