// After a restore, pod-cache's watch of the API server can hang without an error (seen on
// vm-001: no event after the resume, so multus's pod lookups went to the API server and timed
// out, and the first sandboxes failed). It is started afresh on every node, which lists the
// node's pods again and watches from there; the restore waits for that first list.
import { sshTarget } from '../../lab/lifecycle/access.js';
import type { AfterRestoreContext } from '../../lab/overlay/manifest.js';
import { LabError } from '../../lab/util/errors.js';
import { SshSession } from '../../lab/vm/ssh.js';

/** Ends the running pod-cache (lab-init starts it again in 1 s) and waits until it has synced. */
export function restartPodCacheCommand(timeoutS: number): string {
  return [
    'old=$(pidof pod-cache) || true',
    'for pid in $old; do kill "$pid"; done',
    // The old process must be gone, or its answer would pass the check below.
    'for pid in $old; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done',
    `end=$(( $(date +%s) + ${timeoutS} ))`,
    'until wget -q -O /dev/null http://127.0.0.1:8001/lab/synced 2>/dev/null; do',
    '  [ "$(date +%s)" -lt "$end" ] || exit 1',
    '  sleep 0.3',
    'done',
  ].join('\n');
}

export async function afterRestore({ state, timeoutMs }: AfterRestoreContext): Promise<void> {
  await Promise.all(
    state.vms.map(async (vm) => {
      const session = await SshSession.open(await sshTarget(state, vm.name), { timeoutMs });
      try {
        const result = await session.exec(restartPodCacheCommand(Math.round(timeoutMs / 1000)), {
          timeoutMs,
        });
        if (result.code !== 0)
          throw new LabError(`${vm.name}: pod-cache did not list the node's pods again after the restore`);
      } finally {
        session.close();
      }
    }),
  );
}
