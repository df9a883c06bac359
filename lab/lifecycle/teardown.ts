// Removes exactly what a lab's state records: its QEMU processes, its namespace (and with
// it every bridge and tap), its directory. Idempotent, and safe after a crash at any point.
import { rm } from 'node:fs/promises';
import { stopForwards } from '../hostnet/forward.js';
import { deleteNetns } from '../hostnet/netns.js';
import type { Ui } from '../util/ui.js';
import { stopVm } from '../vm/machine.js';
import { type LabState, updateState } from './state.js';

export async function teardown(state: LabState, ui: Ui): Promise<void> {
  await updateState(state, { phase: 'stopping' }).catch(() => undefined);
  await Promise.all(state.vms.map((vm) => stopVm(vm.dir, vm.pid)));
  await stopForwards(state.dir);
  if (state.netns) await deleteNetns(state.netns);
  await rm(state.dir, { recursive: true, force: true });
  ui.ok(
    `lab "${state.name}" removed (${state.vms.length} VM(s)${state.netns ? `, namespace ${state.netns}` : ''})`,
  );
}
