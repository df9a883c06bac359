// The Debian cloud kernel, its modules (only those asked for, with modules.dep) and the
// static busybox that stage 1 runs on.
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { KERNEL_PACKAGES } from '../../images/base.js';
import { ensure } from '../artifacts/cache.js';
import { debianPackages } from '../artifacts/providers/debian.js';
import { run } from '../util/exec.js';
import { inputKey } from '../util/hash.js';
import { moduleClosure, parseBuiltin, parseModulesDep } from './modules.js';
import { mksquashfs } from './squashfs.js';

export interface Kernel {
  version: string;
  vmlinuz: string;
  busybox: string;
  /** Root of a tree holding lib/modules/<version> with every module (.ko.xz) and modules.dep. */
  modulesRoot: string;
  key: string;
}

const DEPMOD_HINT = 'install kmod (apt-get install kmod)';

export async function ensureKernel(): Promise<Kernel> {
  const debs = await debianPackages({ packages: KERNEL_PACKAGES, purpose: 'the VM kernel' });
  const key = inputKey({ debs: debs.meta.key, layout: 1 });
  const entry = await ensure({
    kind: 'kernel',
    key,
    description: 'Debian cloud kernel, all modules indexed, static busybox',
    inputs: { debs: debs.meta.key },
    build: async (dir) => {
      const x = join(dir, 'x');
      await mkdir(x);
      await run([
        'tar',
        '-x',
        '-f',
        join(debs.dir, 'rootfs.tar'),
        '-C',
        x,
        './boot',
        './usr/lib/modules',
        './usr/bin/busybox',
      ]);
      const vmlinuz = (await readdir(join(x, 'boot'))).find((n) => n.startsWith('vmlinuz-'));
      if (!vmlinuz) throw new Error('the kernel package has no /boot/vmlinuz-*');
      const version = vmlinuz.slice('vmlinuz-'.length);
      await rename(join(x, 'boot', vmlinuz), join(dir, 'vmlinuz'));
      await rename(join(x, 'usr/bin/busybox'), join(dir, 'busybox'));
      await mkdir(join(dir, 'all/lib'), { recursive: true });
      await rename(join(x, 'usr/lib/modules'), join(dir, 'all/lib/modules'));
      await rm(x, { recursive: true, force: true });
      await run(['depmod', '-b', join(dir, 'all'), version], { what: 'depmod', hint: DEPMOD_HINT });
      await writeFile(join(dir, 'kernel.json'), JSON.stringify({ version }));
    },
  });
  const { version } = JSON.parse(await readFile(join(entry.dir, 'kernel.json'), 'utf8')) as {
    version: string;
  };
  return {
    version,
    vmlinuz: join(entry.dir, 'vmlinuz'),
    busybox: join(entry.dir, 'busybox'),
    modulesRoot: join(entry.dir, 'all'),
    key,
  };
}

/**
 * A tree `<dir>/lib/modules/<version>` holding `names` and their dependencies, decompressed
 * (busybox modprobe cannot read .ko.xz) and indexed by depmod; plus a squashfs of it laid
 * out at usr/lib/modules for the VM's root.
 */
export async function ensureModules(
  kernel: Kernel,
  names: string[],
): Promise<{ root: string; layer: string; modules: string[] }> {
  const wanted = [...new Set(names)].sort();
  const inputs = { kernel: kernel.key, wanted };
  const entry = await ensure({
    kind: 'modules',
    key: inputKey(inputs),
    description: `kernel modules ${wanted.join(' ')} and their dependencies`,
    inputs,
    build: async (dir) => {
      const source = join(kernel.modulesRoot, 'lib/modules', kernel.version);
      const target = join(dir, 'tree/lib/modules', kernel.version);
      const dep = parseModulesDep(await readFile(join(source, 'modules.dep'), 'utf8'));
      const builtin = parseBuiltin(await readFile(join(source, 'modules.builtin'), 'utf8'));
      const paths = moduleClosure(wanted, dep, builtin);
      for (const path of paths) {
        await mkdir(dirname(join(target, path)), { recursive: true });
        await copyFile(join(source, path), join(target, path));
      }
      const compressed = paths.filter((p) => p.endsWith('.xz')).map((p) => join(target, p));
      if (compressed.length > 0) await run(['xz', '-d', ...compressed], { what: 'xz -d (kernel modules)' });
      for (const file of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
        await copyFile(join(source, file), join(target, file));
      }
      await run(['depmod', '-b', join(dir, 'tree'), kernel.version], { what: 'depmod', hint: DEPMOD_HINT });
      await writeFile(join(dir, 'modules.txt'), `${paths.join('\n')}\n`);
      // The VM's root has lib -> usr/lib, so the layer carries usr/lib/modules.
      const layerTree = join(dir, 'layer/usr/lib');
      await mkdir(layerTree, { recursive: true });
      await run(['cp', '-a', join(dir, 'tree/lib/modules'), layerTree]);
      await mksquashfs(join(dir, 'layer'), join(dir, 'modules.sqfs'), { allRoot: true });
      await rm(join(dir, 'layer'), { recursive: true, force: true });
    },
  });
  const modules = (await readFile(join(entry.dir, 'modules.txt'), 'utf8')).split('\n').filter(Boolean);
  return { root: join(entry.dir, 'tree'), layer: join(entry.dir, 'modules.sqfs'), modules };
}
