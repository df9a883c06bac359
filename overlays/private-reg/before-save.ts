// Before a snapshot is saved, every node pulls the lab registry's images into containerd, so
// a lab restored from it runs its first pods without a pull (under TCG a pull and unpack took
// 40-100 s per image and node; seed 002's samplepods waited 3.5 min for theirs). At boot the
// same pulls slowed the control plane until a node's pod network timed out.
import { labImages } from '../../lab/cluster/lab-images.js';
import { sshTarget } from '../../lab/lifecycle/access.js';
import { HEARTBEAT_MS } from '../../lab/lifecycle/boot-progress.js';
import type { AfterRestoreContext } from '../../lab/overlay/manifest.js';
import { LabError } from '../../lab/util/errors.js';
import { shellQuote } from '../../lab/util/shell-quote.js';
import { SshSession } from '../../lab/vm/ssh.js';

/**
 * Pulls `ref` into containerd's k8s.io namespace through the lab registry (the mirrors in
 * /etc/containerd/certs.d). On a loaded control-plane node `ctr images pull` was seen to hang
 * after the image was complete (twice in a row), so each try has a time limit and the image's
 * state is what counts.
 */
export function pullCommand(ref: string, { tryTimeoutSec = 180, pauseSec = 2 } = {}): string {
  const quoted = shellQuote(ref);
  return [
    'log=$(mktemp)',
    'trap \'rm -f "$log"\' EXIT',
    'for try in 1 2 3; do',
    `  timeout ${tryTimeoutSec} ctr -n k8s.io images pull --hosts-dir /etc/containerd/certs.d ${quoted} >"$log" 2>&1 && exit 0`,
    `  ctr -n k8s.io images check | grep -F ${shellQuote(`${ref} `)} | grep -q ' complete ' && exit 0`,
    `  sleep ${pauseSec}`,
    'done',
    'tail -n 3 "$log" >&2',
    'exit 1',
  ].join('\n');
}
const secs = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

export async function pullImagesBeforeSave({ state, ui, timeoutMs }: AfterRestoreContext): Promise<void> {
  const started = Date.now();
  const pulling = new Map<string, { ref: string; since: number }>();
  // A line at least every HEARTBEAT_MS, as during the boot: a pull can take minutes under TCG.
  const heartbeat = setInterval(() => {
    const now = [...pulling].map(([vm, p]) => `${vm} ${p.ref} (${secs(Date.now() - p.since)})`);
    ui.info(`  pulling images, ${secs(Date.now() - started)}: ${now.join(', ') || 'finishing'}`);
  }, HEARTBEAT_MS);
  try {
    await Promise.all(
      state.vms.map(async (vm) => {
        const session = await SshSession.open(await sshTarget(state, vm.name), { timeoutMs: 30_000 });
        try {
          for (const { ref } of labImages.images) {
            const since = Date.now();
            pulling.set(vm.name, { ref, since });
            const result = await session.exec(pullCommand(ref), {
              timeoutMs: Math.max(1, timeoutMs - (since - started)),
            });
            if (result.code !== 0)
              throw new LabError(
                `${vm.name}: pulling ${ref} failed: ${(result.stderr || result.stdout).trim().split('\n').at(-1)}`,
              );
            ui.info(`  ${vm.name}: pulled ${ref} (${secs(Date.now() - since)})`);
          }
          pulling.delete(vm.name);
        } finally {
          session.close();
        }
      }),
    );
  } finally {
    clearInterval(heartbeat);
  }
}
