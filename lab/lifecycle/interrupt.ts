// Ctrl-C (SIGINT) or SIGTERM while lab starts a lab, or tests on a lab of its own: that lab is
// removed, as a failed start's is, so nothing of it is left on the host; then lab exits 130
// (143 for SIGTERM). A second Ctrl-C exits at once. Only a lab this process created goes (its
// state names this process as owner): never another's lab of the same name, never one kept
// on purpose (--keep).
import { labDir } from '../util/paths.js';
import type { Ui } from '../util/ui.js';
import { refuseSpawns, startedHere, terminate } from '../vm/process.js';
import { freezeState, readState, releaseOwnLock } from './state.js';
import { teardown } from './teardown.js';

const owned = new Map<string, Ui>();
let installed = false;

/** Removes lab `name` if lab is interrupted before the returned release is called. */
export function removeOnInterrupt(name: string, ui: Ui): () => void {
  owned.set(name, ui);
  if (!installed) {
    installed = true;
    process.once('SIGINT', () => void onSignal('SIGINT', 130));
    process.once('SIGTERM', () => void onSignal('SIGTERM', 143));
  }
  return () => owned.delete(name);
}

async function onSignal(signal: string, code: number): Promise<void> {
  process.once('SIGINT', () => process.exit(code));
  // The interrupted work runs on beside the teardown: it must start no VM the teardown misses.
  refuseSpawns(`lab is exiting on ${signal}`);
  for (const [name, ui] of owned) {
    try {
      const state = await readState(name);
      // Interrupted before its state existed (building the image): only the lock is there.
      if (state?.ownerPid !== process.pid) {
        releaseOwnLock(name);
        continue;
      }
      ui.warn(`${signal}: removing lab "${name}" and what it made so far (Ctrl-C again to leave it)`);
      // The interrupted work still runs beside the teardown: it must not write the state back.
      freezeState(name);
      await teardown(state, ui).catch(async () => {
        // A file it was writing as the directory went: once more, after it settles.
        await new Promise((resolve) => setTimeout(resolve, 500));
        await teardown(state, ui);
      });
      // A VM spawned after the state was read is in no state file, but this process knows it.
      await Promise.all((await startedHere(labDir(name))).map((pid) => terminate(pid)));
      releaseOwnLock(name);
    } catch (err) {
      ui.warn(`lab "${name}" could not be removed (${(err as Error).message}); lab clean --name ${name}`);
    }
  }
  process.exit(code);
}
