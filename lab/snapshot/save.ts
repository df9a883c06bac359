// Saving a running lab: every VM is paused at once, its RAM and device state goes to a file,
// its writable disk is copied while paused (the copy is the frozen base of every restore),
// and the lab runs on as before. The per-lab files (SSH keys, PKI) go along: a restored lab
// must be the very cluster that was saved.
import { copyFile, cp, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isRelayFile } from '../hostnet/forward.js';
import { ensureScratchTemplate } from '../image/scratch.js';
import { syncGuestClocks } from '../lifecycle/clock.js';
import type { LabState } from '../lifecycle/state.js';
import { LabError } from '../util/errors.js';
import { run } from '../util/exec.js';
import type { Ui } from '../util/ui.js';
import { saveVmState } from '../vm/migration.js';
import { vmPaths } from '../vm/qemu-args.js';
import { QmpClient } from '../vm/qmp.js';
import type { SnapshotKey } from './key.js';
import { beginSave, commitSave, type SnapshotManifest, snapshotLabFiles, snapshotVmPaths } from './store.js';

const SAVE_TIMEOUT_MS = 300_000;

/** Lab-dir entries that belong to one running lab, not to the saved cluster. */
const NOT_SAVED = new Set(['state.json', 'vms', 'kubeconfig']);
const isLabFile = (name: string) => !NOT_SAVED.has(name) && !isRelayFile(name) && !/\.tmp-\d+$/.test(name);

export interface SaveResult {
  manifest: SnapshotManifest;
  dir: string;
  /** The VMs were paused this long (the lab's own clocks are set right after). */
  pausedMs: number;
}

export async function saveLab(state: LabState, name: string, key: SnapshotKey, ui: Ui): Promise<SaveResult> {
  if (state.phase !== 'running') throw new LabError(`lab "${state.name}" is ${state.phase}, not running`);
  const started = Date.now();
  const tmp = await beginSave(name);
  try {
    return await saveInto(tmp, state, name, key, ui, started);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function saveInto(
  tmp: string,
  state: LabState,
  name: string,
  key: SnapshotKey,
  ui: Ui,
  started: number,
): Promise<SaveResult> {
  const qmps = await Promise.all(state.vms.map((vm) => QmpClient.connect(vmPaths(vm.dir).qmp)));
  const vms: SnapshotManifest['vms'] = [];
  let pausedMs = 0;
  try {
    // Back to back, so the VMs' views of each other (TCP, leases) stay consistent.
    await Promise.all(qmps.map((qmp) => qmp.execute('stop')));
    const pausedAt = Date.now();
    try {
      await Promise.all(
        state.vms.map(async (vm, i) => {
          const qmp = qmps[i] as QmpClient;
          const files = snapshotVmPaths(tmp, vm.name);
          await mkdir(join(tmp, 'vms', vm.name), { recursive: true, mode: 0o700 });
          await saveVmState(qmp, files.state, SAVE_TIMEOUT_MS);
          // QEMU flushed the disk when the migration completed, and the VM is still paused.
          const own = vmPaths(vm.dir);
          await copyFile(own.scratch, files.disk);
          // A restored lab's disk is an overlay on an older snapshot, which may go away: fold that
          // snapshot's data into the copy, so the new one rests on the empty template alone.
          if (state.snapshot) await rebaseOnTemplate(files.disk);
          await copyFile(own.initrd, files.initrd);
          await copyFile(own.events, files.events).catch(() => undefined);
          await copyFile(own.consoleLog, files.console).catch(() => undefined);
          vms[i] = {
            name: vm.name,
            stateBytes: (await stat(files.state)).size,
            diskBytes: (await stat(files.disk)).size,
          };
        }),
      );
    } finally {
      // The lab runs on whatever happened to the save.
      await Promise.all(qmps.map((qmp) => qmp.execute('cont').catch(() => undefined)));
      pausedMs = Date.now() - pausedAt;
    }
  } finally {
    for (const qmp of qmps) qmp.close();
  }
  await syncGuestClocks(state).catch((err: unknown) =>
    ui.warn(`could not set the guest clocks after the save: ${(err as Error).message}`),
  );
  await cp(state.dir, snapshotLabFiles(tmp), {
    recursive: true,
    filter: (source) =>
      source === state.dir || isLabFile(source.slice(state.dir.length + 1).split('/')[0] ?? ''),
  });
  const manifest: SnapshotManifest = {
    format: key.format as SnapshotManifest['format'],
    name,
    savedAt: new Date().toISOString(),
    savedFrom: state.name,
    saveMs: Date.now() - started,
    key,
    config: state.config as unknown as Record<string, unknown>,
    vms,
  };
  const dir = await commitSave(tmp, manifest);
  return { manifest, dir, pausedMs };
}

async function rebaseOnTemplate(disk: string): Promise<void> {
  const template = await ensureScratchTemplate();
  // Safe mode: what the old backing chain holds above the template is copied into the image.
  await run(['qemu-img', 'rebase', '-q', '-f', 'qcow2', '-b', template, '-F', 'raw', disk], {
    what: `folding the restored disk ${disk} onto the scratch template`,
  });
}
