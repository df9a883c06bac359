// The base root filesystem: Debian packages (base + what the lab's overlays ask for),
// made bootable without maintainer scripts, packed as a read-only squashfs layer.
import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BASE_PACKAGES,
  DEBIAN_SUITE,
  ETC_FILES,
  ROOTFS_DIRS,
  RUN_LINKS,
  USRMERGE_LINKS,
} from '../../images/base.js';
import { ensure } from '../artifacts/cache.js';
import { debianPackages } from '../artifacts/providers/debian.js';
import { run } from '../util/exec.js';
import { inputKey } from '../util/hash.js';
import type { Kernel } from './kernel.js';
import { mksquashfs } from './squashfs.js';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * busybox applets for every command the packages do not provide (`sh` included: the extract
 * variant installs no dash), at busybox's own paths mapped onto merged /usr.
 */
async function linkMissingApplets(tree: string, busybox: string): Promise<void> {
  const paths = (await run([busybox, '--list-full'])).split('\n').filter(Boolean);
  for (const path of paths) {
    const applet = path.split('/').pop() ?? path;
    const provided = await Promise.all(['usr/bin', 'usr/sbin'].map((dir) => exists(join(tree, dir, applet))));
    if (provided.includes(true)) continue;
    const target = join(tree, path.startsWith('usr/') ? path : `usr/${path}`);
    await mkdir(dirname(target), { recursive: true });
    await symlink('/usr/bin/busybox', target);
  }
}

async function makeBootable(tree: string, kernel: Kernel): Promise<void> {
  for (const [link, target] of USRMERGE_LINKS) {
    if (!(await exists(join(tree, link))) && (await exists(join(tree, target))))
      await symlink(target, join(tree, link));
  }
  for (const dir of ROOTFS_DIRS) await mkdir(join(tree, dir), { recursive: true });
  for (const [link, target] of RUN_LINKS) {
    await rm(join(tree, link), { recursive: true, force: true });
    await symlink(target, join(tree, link));
  }
  for (const [path, content] of Object.entries(ETC_FILES)) {
    await writeFile(join(tree, path), content, { mode: path === 'etc/shadow' ? 0o600 : 0o644 });
  }
  await linkMissingApplets(tree, kernel.busybox);
  // Documentation is dead weight in a VM nobody reads man pages in.
  for (const dir of ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale']) {
    await rm(join(tree, dir), { recursive: true, force: true });
  }
}

export interface Rootfs {
  layer: string;
  packages: string[];
  key: string;
}

export async function ensureRootfs(kernel: Kernel, extraPackages: string[]): Promise<Rootfs> {
  const packages = [...new Set([...BASE_PACKAGES, ...extraPackages])].sort();
  const debs = await debianPackages({ packages, suite: DEBIAN_SUITE, purpose: 'the VM root filesystem' });
  const inputs = {
    debs: debs.meta.key,
    kernel: kernel.key,
    recipe: inputKey({ ETC_FILES, ROOTFS_DIRS, RUN_LINKS, USRMERGE_LINKS, applets: 2 }),
  };
  const key = inputKey(inputs);
  const entry = await ensure({
    kind: 'rootfs',
    key,
    description: `root filesystem with ${packages.join(' ')}`,
    inputs,
    build: async (dir) => {
      const tree = join(dir, 'tree');
      await mkdir(tree);
      await run(['tar', '-x', '-p', '--numeric-owner', '-f', join(debs.dir, 'rootfs.tar'), '-C', tree]);
      await makeBootable(tree, kernel);
      await mksquashfs(tree, join(dir, 'rootfs.sqfs'));
      await writeFile(join(dir, 'packages.txt'), `${packages.join('\n')}\n`);
      await rm(tree, { recursive: true, force: true });
    },
  });
  return { layer: join(entry.dir, 'rootfs.sqfs'), packages, key };
}
