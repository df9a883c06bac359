// The images a lab's pods need, built from Debian packages (no internet, no container
// engine) into a registry storage tree that overlays/private-reg serves. Names are the ones
// manifests use: containerd asks the lab registry for docker.io, registry.k8s.io, …
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
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
  /** Busybox applet links in /usr/bin (packages' own programs, e.g. iproute2's ip, win). */
  applets?: boolean;
}

/** The applets an alpine-like image offers; real programs from packages replace links. */
const BUSYBOX_APPLETS = [
  'sh',
  'ash',
  'sleep',
  'cat',
  'ls',
  'ps',
  'echo',
  'hostname',
  'ifconfig',
  'route',
  'arp',
  'grep',
  'sed',
  'awk',
  'head',
  'tail',
  'wc',
  'nc',
  'wget',
  'vi',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'env',
  'true',
  'false',
  'date',
  'uname',
  'id',
  'kill',
  'top',
  'free',
  'df',
  'netstat',
  'nslookup',
  'traceroute',
  'tee',
  'sort',
  'uniq',
  'cut',
  'tr',
  'find',
  'xargs',
  'ip',
  'ping',
  'ping6',
];

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
  // Seed 000's and 003's pods run `alpine` with /bin/ash: busybox as in Alpine, plus iproute2
  // so `ip -br addr` works as the docs show. Built here from Debian packages, not Alpine.
  {
    ref: 'docker.io/library/alpine:latest',
    repository: 'library/alpine',
    tag: 'latest',
    packages: ['busybox-static', 'iproute2', 'iputils-ping'],
    cmd: ['/bin/sh'],
    applets: true,
  },
  // Seed 002's samplepods run `dougbtv/centos-network` with /bin/bash, ip and ping.
  {
    ref: 'docker.io/dougbtv/centos-network:latest',
    repository: 'dougbtv/centos-network',
    tag: 'latest',
    packages: ['bash', 'coreutils', 'iproute2', 'iputils-ping', 'busybox-static'],
    cmd: ['/bin/bash'],
    applets: true,
  },
];

/** A reference as containerd resolves it: docker.io and library/ implied, tag latest. */
export function normalizeImageRef(ref: string): { registry: string; repository: string; tag: string } {
  const name = ref.split('@')[0] ?? '';
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? name.slice(slash + 1) : name;
  const colon = path.lastIndexOf(':');
  const tag = colon > path.lastIndexOf('/') ? path.slice(colon + 1) : 'latest';
  if (colon > path.lastIndexOf('/')) path = path.slice(0, colon);
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { registry, repository: path, tag };
}

/** The image references of the list that the lab's images do not provide. */
export function missingImages(refs: readonly string[], images: readonly LabImage[] = LAB_IMAGES): string[] {
  const key = (ref: string) => {
    const { repository, tag } = normalizeImageRef(ref);
    return `${repository}:${tag}`;
  };
  const served = new Set(images.map((image) => `${image.repository}:${image.tag}`));
  return [...new Set(refs)].filter((ref) => !served.has(key(ref)));
}

/** Every `image:` of Kubernetes manifests (YAML or JSON text, one or several documents). */
export function imagesOfManifests(text: string): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'image' && typeof inner === 'string') found.add(inner);
        else visit(inner);
      }
    }
  };
  for (const doc of parseAllDocuments(text)) visit(doc.toJS());
  return [...found];
}

/** /usr/bin/<applet> -> busybox links, below the packages' layer. */
async function appletLayer(dir: string): Promise<string> {
  const tree = join(dir, 'applets');
  await mkdir(join(tree, 'usr/bin'), { recursive: true });
  for (const applet of BUSYBOX_APPLETS) await symlink('busybox', join(tree, 'usr/bin', applet));
  return tarTree(tree, join(dir, 'applets.tar'), 'the busybox applets layer');
}

/** A reproducible layer tar of a tree: root-owned, time 0, sorted. */
async function tarTree(tree: string, tar: string, what: string): Promise<string> {
  await run(['tar', '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-C', tree, '-cf', tar, '.'], {
    what,
  });
  return tar;
}

/** Debian's merged /usr links, /tmp and a root user: what the package tar lacks to run. */
async function baseLayer(dir: string): Promise<string> {
  const tree = join(dir, 'base');
  for (const sub of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'root']) {
    await mkdir(join(tree, sub), { recursive: true });
  }
  for (const [link, target] of USRMERGE_LINKS) await symlink(target, join(tree, link));
  await writeFile(join(tree, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await writeFile(join(tree, 'etc/group'), 'root:x:0:\n');
  return tarTree(tree, join(dir, 'base.tar'), "the images' base layer");
}

export const labImages: ArtifactSpec = {
  name: 'lab-images',
  description: "the lab's container images (registry storage)",
  files: ['docker'],
  sources: [
    {
      kind: 'build',
      version: inputKey({ LAB_IMAGES, BUSYBOX_APPLETS, format: 2 }),
      from: 'Debian packages, built here',
      fill: async (dir) => {
        const scratch = await mkdtemp(join(tmpdir(), 'lab-images-'));
        try {
          const base = await baseLayer(scratch);
          const applets = await appletLayer(scratch);
          const images = [];
          for (const image of LAB_IMAGES) {
            const debs = await debianPackages({ packages: image.packages, purpose: `image ${image.ref}` });
            images.push(
              await buildImage({
                repository: image.repository,
                tag: image.tag,
                layers: [base, ...(image.applets ? [applets] : []), join(debs.dir, 'rootfs.tar')],
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
