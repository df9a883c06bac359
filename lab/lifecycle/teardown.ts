// Removes exactly what a lab's state records: its QEMU processes, its namespace (and with
// it every bridge and tap), its directory. Idempotent, and safe after a crash at any point.
import { rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { stopForwards } from '../hostnet/forward.js';
import { deleteNetns } from '../hostnet/netns.js';
import { pruneSnapshots } from '../snapshot/store.js';
import { netnsName } from '../topology/plan.js';
import { labDir } from '../util/paths.js';
import type { Ui } from '../util/ui.js';
import { stopVm } from '../vm/machine.js';
import { type LabState, updateState } from './state.js';

/** Teardowns under way in this process: a second caller (an interrupt beside a failed start) waits for the first. */
const inFlight = new Map<string, Promise<void>>();

export function teardown(state: LabState, ui: Ui): Promise<void> {
  const running = inFlight.get(state.name);
  if (running) return running;
  const done = removeLab(state, ui).finally(() => inFlight.delete(state.name));
  inFlight.set(state.name, done);
  return done;
}

async function removeLab(state: LabState, ui: Ui): Promise<void> {
  // Paths and names come from the lab's name, never from the file: a planted state file must
  // not make lab remove a directory or a namespace that is not this lab's.
  const dir = labDir(state.name);
  const netns = netnsName(state.name);
  const own = { ...state, dir };
  await updateState(own, { phase: 'stopping' }).catch(() => undefined);
  const vms = state.vms.filter((vm) => isInside(dir, vm.dir));
  await Promise.all(vms.map((vm) => stopVm(vm.dir, vm.pid)));
  await stopForwards(dir);
  if (state.netns === netns) await deleteNetns(netns);
  await rm(dir, { recursive: true, force: true });
  // A snapshot version this lab ran on may be needed by nothing now.
  if (state.snapshot) await pruneSnapshots().catch(() => undefined);
  ui.ok(
    `lab "${state.name}" removed (${vms.length} VM(s)${state.netns === netns ? `, namespace ${netns}` : ''})`,
  );
}

/** `path` is strictly below `dir` (after normalising), so removing it stays inside the lab. */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, resolve(dir, path));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
