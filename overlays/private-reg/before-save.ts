// Before a snapshot is saved, every node pulls the lab registry's images into containerd, so
// a lab restored from it runs its first pods without a pull (under TCG a pull and unpack took
// 40-100 s per image and node; seed 002's samplepods waited 3.5 min for theirs). At boot the
// same pulls slowed the control plane until a node's pod network timed out.
import { labImages } from '../../lab/cluster/lab-images.js';
import { sshTarget } from '../../lab/lifecycle/access.js';
import type { AfterRestoreContext } from '../../lab/overlay/manifest.js';
import { LabError } from '../../lab/util/errors.js';
import { shellQuote } from '../../lab/util/shell-quote.js';
import { SshSession } from '../../lab/vm/ssh.js';

const PREPULL = '/usr/lib/lab/private-reg/prepull';

export async function pullImagesBeforeSave({ state, ui, timeoutMs }: AfterRestoreContext): Promise<void> {
  const command = [PREPULL, ...labImages.images.map((image) => image.ref)].map(shellQuote).join(' ');
  await Promise.all(
    state.vms.map(async (vm) => {
      const started = Date.now();
      const session = await SshSession.open(await sshTarget(state, vm.name), { timeoutMs: 30_000 });
      try {
        const result = await session.exec(command, { timeoutMs });
        if (result.code !== 0)
          throw new LabError(
            `${vm.name}: pulling the lab images failed: ${(result.stderr || result.stdout).trim().split('\n').at(-1)}`,
          );
        ui.info(
          `  ${vm.name}: ${labImages.images.length} images pulled in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      } finally {
        session.close();
      }
    }),
  );
}
