// The images a lab's pods need, built from Debian packages (no internet, no container
// engine) into a registry storage tree that overlays/private-reg serves. Names are the ones
// manifests use: containerd asks the lab registry for docker.io, registry.k8s.io, …
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USRMERGE_LINKS } from '../../images/base.js';
import type { ArtifactSpec } from '../artifacts/artifact.js';
import { debianPackages } from '../artifacts/providers/debian.js';
import { run } from '../util/exec.js';
import { inputKey } from '../util/hash.js';
import { buildImage, writeRegistryStore } from './oci.js';

export interface LabImage {
  /** As pods name it. */
  ref: string;
  /** Repository path in the registry (what containerd asks a mirror for). */
  repository: string;
  tag: string;
  packages: string[];
  cmd: string[];
}

// A process that waits for its end: the pause container, and the toolbox's default command.
const WAIT_FOREVER = [
  '/usr/bin/busybox',
  'sh',
  '-c',
  'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done',
];

export const LAB_IMAGES: LabImage[] = [
  {
    ref: 'registry.k8s.io/pause:3.10',
    repository: 'pause',
    tag: '3.10',
    packages: ['busybox-static'],
    cmd: WAIT_FOREVER,
  },
  {
    ref: 'docker.io/lab/toolbox:1',
    repository: 'lab/toolbox',
    tag: '1',
    packages: ['busybox-static', 'iproute2', 'iputils-ping'],
    cmd: WAIT_FOREVER,
  },
];

/** Debian's merged /usr links, /tmp and a root user: what the package tar lacks to run. */
async function baseLayer(dir: string): Promise<string> {
  const tree = join(dir, 'base');
  for (const sub of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'root']) {
    await mkdir(join(tree, sub), { recursive: true });
  }
  for (const [link, target] of USRMERGE_LINKS) await symlink(target, join(tree, link));
  await writeFile(join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(tree, 'etc/group'), 'root:x:0:\n');
  const tar = join(dir, 'base.tar');
  await run(['tar', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-C', tree, '-cf', tar, '.'], {
    what: "the images' base layer",
  });
  return tar;
}

export const labImages: ArtifactSpec = {
  name: 'lab-images',
  description: "the lab's container images (registry storage)",
  files: ['docker'],
  sources: [
    {
      kind: 'build',
      version: inputKey({ LAB_IMAGES, format: 1 }),
      from: 'Debian packages, built here',
      fill: async (dir) => {
        const scratch = await mkdtemp(join(tmpdir(), 'lab-images-'));
        try {
          const base = await baseLayer(scratch);
          const images = [];
          for (const image of LAB_IMAGES) {
            const debs = await debianPackages({ packages: image.packages, purpose: `image ${image.ref}` });
            images.push(
              await buildImage({
                repository: image.repository,
                tag: image.tag,
                layers: [base, join(debs.dir, 'rootfs.tar')],
                cmd: image.cmd,
              }),
            );
          }
          await writeRegistryStore(dir, images);
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      },
    },
  ],
};
