// Restoring a saved lab into a new one whose namespace, bridges, taps and forwards exist
// already (as for a cold start): each VM's QEMU starts with the same arguments plus
// -incoming defer -S on a new qcow2 overlay of the snapshot's frozen disk, loads its saved
// state, and all VMs resume back to back. Then the guest clocks are set and every overlay
// checks its part is ready again, the way its boot units did on a cold start.
import { chmod, copyFile, cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { syncGuestClocks } from '../lifecycle/clock.js';
import { type LabState, writeState } from '../lifecycle/state.js';
import type { Overlay } from '../overlay/registry.js';
import { LabError } from '../util/errors.js';
import { run } from '../util/exec.js';
import type { Ui } from '../util/ui.js';
import { startVm } from '../vm/machine.js';
import { loadVmState } from '../vm/migration.js';
import { type AccelChoice, vmPaths } from '../vm/qemu-args.js';
import { QmpClient } from '../vm/qmp.js';
import { snapshotLabFiles, snapshotVmPaths } from './store.js';

const LOAD_TIMEOUT_MS = 120_000;

export interface RestoreInputs {
  snapshotDir: string;
  accel: AccelChoice;
  machine: string;
  kernel: string;
  layers: string[];
  overlays: Overlay[];
  /** For the overlays' readiness checks after the resume. */
  readyTimeoutMs: number;
}

export interface RestoreTimings {
  loadMs: number;
  clockMs: number;
  readyMs: number;
  /** How far the guests' clocks were behind the host's (the snapshot's age, roughly). */
  behindMs: number;
}

export async function restoreLab(state: LabState, inputs: RestoreInputs, ui: Ui): Promise<RestoreTimings> {
  await cp(snapshotLabFiles(inputs.snapshotDir), state.dir, { recursive: true });
  const loadStarted = Date.now();
  for (const node of state.plan.nodes) {
    const dir = join(state.dir, 'vms', node.name);
    state.vms.push({ name: node.name, dir });
    await writeState(state);
    const saved = snapshotVmPaths(inputs.snapshotDir, node.name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // The events and the serial console so far (QEMU appends to both): `lab status` and a
    // failure's evidence show the boot the snapshot came from.
    await copyFile(saved.events, vmPaths(dir).events).catch(() => undefined);
    await copyFile(saved.console, vmPaths(dir).consoleLog).catch(() => undefined);
    // The node's own initrd (QEMU's ROM must be the one saved; a later save copies it again).
    await copyFile(saved.initrd, vmPaths(dir).initrd);
    await chmod(vmPaths(dir).initrd, 0o600);
    await run([
      'qemu-img',
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      saved.disk,
      vmPaths(dir).scratch,
    ]);
    const pid = await startVm({
      labName: state.name,
      netns: state.plan.netns,
      node,
      dir,
      accel: inputs.accel,
      machine: inputs.machine,
      kernel: inputs.kernel,
      layers: inputs.layers,
      incoming: true,
    });
    const vm = state.vms.find((v) => v.name === node.name);
    if (vm) vm.pid = pid;
    await writeState(state);
  }
  const qmps: QmpClient[] = [];
  try {
    for (const vm of state.vms) qmps.push(await QmpClient.connect(vmPaths(vm.dir).qmp));
    await Promise.all(
      state.vms.map((vm, i) =>
        loadVmState(
          qmps[i] as QmpClient,
          snapshotVmPaths(inputs.snapshotDir, vm.name).state,
          LOAD_TIMEOUT_MS,
        ).catch(async (err: unknown) => {
          throw new LabError(`${vm.name}: ${(err as Error).message}${await qemuSaid(vm.dir)}`);
        }),
      ),
    );
    // Back to back: the guests see each other resume within milliseconds.
    await Promise.all(qmps.map((qmp) => qmp.execute('cont')));
  } finally {
    for (const qmp of qmps) qmp.close();
  }
  const loadMs = Date.now() - loadStarted;
  const clockStarted = Date.now();
  const fixes = await syncGuestClocks(state);
  const clockMs = Date.now() - clockStarted;
  const readyStarted = Date.now();
  // Side by side: each overlay mends its own part (k8s its leases, multus its pod cache).
  await Promise.all(
    inputs.overlays.map((overlay) => {
      const check = overlay.manifest.afterRestore;
      return check
        ? ui.phase(`${overlay.manifest.name} ready again`, () =>
            check({ state, ui, timeoutMs: inputs.readyTimeoutMs }),
          )
        : undefined;
    }),
  );
  return {
    loadMs,
    clockMs,
    readyMs: Date.now() - readyStarted,
    behindMs: Math.max(0, ...fixes.map((f) => f.behindMs)),
  };
}

async function qemuSaid(dir: string): Promise<string> {
  const log = (await readFile(join(dir, 'qemu.log'), 'utf8').catch(() => '')).trim();
  return log ? `\nqemu said: ${log.split('\n').slice(-5).join('\n')}` : '';
}
