// The shared initramfs: static busybox, stage 1 (/init), lab-init and the few modules
// stage 1 needs to mount its layers. Small on purpose: a big initramfs slows boot a lot
// under TCG, so everything else comes on squashfs disks.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STAGE1_MODULES } from '../../images/base.js';
import { ensure } from '../artifacts/cache.js';
import { buildLocalGo } from '../artifacts/providers/go.js';
import { run } from '../util/exec.js';
import { inputKey, sha256 } from '../util/hash.js';
import { PROJECT_ROOT } from '../util/paths.js';
import { type CpioEntry, cpioEntriesFromDir, cpioGz } from './cpio.js';
import { ensureModules, type Kernel } from './kernel.js';

export const STAGE1_SCRIPT = join(PROJECT_ROOT, 'images/initramfs/init');
export const LAB_INIT_SOURCE = join(PROJECT_ROOT, 'images/lab-init');

export async function ensureInitramfs(kernel: Kernel): Promise<{ path: string; key: string }> {
  const labInit = await buildLocalGo(LAB_INIT_SOURCE, 'lab-init');
  const modules = await ensureModules(kernel, STAGE1_MODULES);
  const init = await readFile(STAGE1_SCRIPT);
  const inputs = {
    kernel: kernel.key,
    labInit: labInit.meta.key,
    modules: modules.root,
    init: sha256(init),
    STAGE1_MODULES,
  };
  const key = inputKey(inputs);
  const entry = await ensure({
    kind: 'initramfs',
    key,
    description: 'initramfs: busybox, stage 1, lab-init, stage 1 modules',
    inputs,
    build: async (dir) => {
      const applets = (await run([kernel.busybox, '--list'])).split('\n').filter(Boolean);
      const entries: CpioEntry[] = [
        { path: 'bin/busybox', type: 'file', mode: 0o755, data: await readFile(kernel.busybox) },
        ...applets
          .filter((applet) => applet !== 'busybox')
          .map((applet): CpioEntry => ({ path: `bin/${applet}`, type: 'symlink', target: 'busybox' })),
        { path: 'sbin', type: 'symlink', target: 'bin' },
        { path: 'init', type: 'file', mode: 0o755, data: init },
        {
          path: 'etc/stage1-modules',
          type: 'file',
          mode: 0o644,
          data: Buffer.from(`${STAGE1_MODULES.join(' ')}\n`), // one line: stage 1 reads it with `read`
        },
        {
          path: 'lab/bin/lab-init',
          type: 'file',
          mode: 0o755,
          data: await readFile(join(labInit.dir, 'lab-init')),
        },
        ...(await cpioEntriesFromDir(modules.root)),
        ...['dev', 'proc', 'sys', 'newroot', 'layers', 'scratch', 'tmp'].map(
          (path): CpioEntry => ({ path, type: 'dir', mode: 0o755 }),
        ),
      ];
      await writeFile(join(dir, 'initramfs.cpio.gz'), cpioGz(entries));
    },
  });
  return { path: join(entry.dir, 'initramfs.cpio.gz'), key };
}
