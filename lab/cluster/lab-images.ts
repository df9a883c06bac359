// The images a lab's pods need, built from Debian packages (no internet, no container
// engine) into a registry storage tree that overlays/private-reg serves. Names are the ones
// manifests use: containerd asks the lab registry for docker.io, registry.k8s.io, …
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { USRMERGE_LINKS } from '../../images/base.js';
import {
  type ArtifactSource,
  type ArtifactSpec,
  allowedSources,
  ensureArtifact,
} from '../artifacts/artifact.js';
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
  /** Debian packages of its top layer (none: the base layer and `files` alone). */
  packages: string[];
  cmd: string[];
  /** Busybox applet links in /usr/bin (packages' own programs, e.g. iproute2's ip, win). */
  applets?: boolean;
  entrypoint?: string[];
  /**
   * The top layer: every file of lab artifacts (e.g. a Go build), or one file of the host (data
   * a Go module ships, read from the module cache), each into the directory `into`.
   */
  files?: ImageFile[];
  /** Also in the top layer: empty directories, and symbolic links (path → target). */
  dirs?: string[];
  links?: Record<string, string>;
  /** Extra /etc/passwd lines (root is always there), e.g. the user a package's daemon runs as. */
  users?: string[];
}

export type ImageFile =
  | { artifact: ArtifactSpec; into: string }
  /** `mode`: e.g. 0o755 for a script a module ships (the module cache keeps files read-only). */
  | { hostFile: string; into: string; mode?: number };

/**
 * The links Debian's iptables maintainer scripts would make (images and the VM image run none):
 * iptables and ip6tables on the nft backend, for kube-proxy, the CNI plugins and flanneld alike.
 */
export const IPTABLES_NFT_LINKS: Record<string, string> = Object.fromEntries(
  ['iptables', 'ip6tables'].flatMap((tool) =>
    ['', '-save', '-restore'].map((suffix) => [`/usr/sbin/${tool}${suffix}`, 'xtables-nft-multi']),
  ),
);

/** Where overlay private-reg's registry reads its storage in the VM: image sets go there. */
export const REGISTRY_STORAGE = '/var/lib/docker-registry';

/** An artifact holding a registry storage tree of `images`; the images it holds stay at hand. */
export interface ImageSetSpec extends ArtifactSpec {
  images: LabImage[];
}

export const isImageSet = (artifact: object): artifact is ImageSetSpec =>
  Array.isArray((artifact as ImageSetSpec).images);

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
export function missingImages(
  refs: readonly string[],
  images: ReadonlyArray<Pick<LabImage, 'repository' | 'tag'>> = LAB_IMAGES,
): string[] {
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

const ROOT_USER = 'root:x:0:0:root:/root:/bin/sh';

/** Debian's merged /usr links, /tmp and a root user: what the package tar lacks to run. */
async function baseLayer(dir: string): Promise<string> {
  const tree = join(dir, 'base');
  for (const sub of ['usr/bin', 'usr/sbin', 'usr/lib', 'usr/lib64', 'etc', 'tmp', 'root']) {
    await mkdir(join(tree, sub), { recursive: true });
  }
  for (const [link, target] of USRMERGE_LINKS) await symlink(target, join(tree, link));
  await writeFile(join(tree, 'etc/passwd'), `${ROOT_USER}\n`);
  await writeFile(join(tree, 'etc/group'), 'root:x:0:\n');
  // Debian's order: /etc/hosts (the kubelet's, with the pod's own names) before DNS. Without the
  // file glibc's default is `dns [!UNAVAIL=return] files`: a cluster DNS that answers NXDOMAIN
  // for a name only /etc/hosts has ends the lookup there (the DNS tests' `getent hosts`).
  await writeFile(join(tree, 'etc/nsswitch.conf'), 'hosts: files dns\n');
  return tarTree(tree, join(dir, 'base.tar'), "the images' base layer");
}

/** The top layer of files, directories and links: each artifact built (or taken from the cache) first. */
async function filesLayer(
  dir: string,
  image: LabImage,
  progress: (message: string) => void,
): Promise<string> {
  const tree = join(dir, `files-${image.repository.replaceAll('/', '_')}-${image.tag}`);
  await mkdir(tree, { recursive: true });
  for (const file of image.files ?? []) {
    await mkdir(join(tree, file.into), { recursive: true });
    if ('hostFile' in file) {
      const target = join(tree, file.into, basename(file.hostFile));
      await copyFile(file.hostFile, target);
      await chmod(target, file.mode ?? 0o644);
    } else {
      const built = await ensureArtifact(file.artifact, progress);
      for (const name of file.artifact.files)
        await copyFile(join(built.dir, name), join(tree, file.into, name));
    }
  }
  for (const sub of image.dirs ?? []) await mkdir(join(tree, sub), { recursive: true });
  for (const [path, target] of Object.entries(image.links ?? {})) {
    await mkdir(dirname(join(tree, path)), { recursive: true });
    await symlink(target, join(tree, path));
  }
  if (image.users?.length) {
    await mkdir(join(tree, 'etc'), { recursive: true });
    await writeFile(join(tree, 'etc/passwd'), `${[ROOT_USER, ...image.users].join('\n')}\n`);
  }
  return tarTree(tree, `${tree}.tar`, `the files layer of ${image.ref}`);
}

const hasTopLayer = (image: LabImage) =>
  Boolean(
    image.files?.length || image.dirs?.length || Object.keys(image.links ?? {}).length || image.users?.length,
  );

/** What decides an artifact's files, for a key: its usable sources' kinds, versions and pins (a checkout's too). */
const artifactKey = (artifact: ArtifactSpec) => ({
  name: artifact.name,
  sources: allowedSources(artifact).map((s) => [s.kind, s.version, s.pin ?? '']),
});

/**
 * An image set: the storage tree of the lab registry holding `images`. Overlays install theirs
 * into REGISTRY_STORAGE; blobs are content-addressed and repositories apart, so the layers of
 * several sets merge into one registry.
 */
export function imageSet(spec: { name: string; description: string; images: LabImage[] }): ImageSetSpec {
  // Its key is computed when asked, not when the overlay loads: lab start --src may since have
  // pointed one of its artifacts at a checkout.
  const key = () =>
    spec.images.map((image) => ({
      ...image,
      files: (image.files ?? []).map((f) =>
        'hostFile' in f
          ? { into: f.into, hostFile: f.hostFile, mode: f.mode }
          : { into: f.into, artifact: artifactKey(f.artifact) },
      ),
    }));
  const source = (): ArtifactSource => ({
    kind: 'build',
    // format: what baseLayer and the other layers put in; 4 added /etc/nsswitch.conf.
    version: inputKey({ images: key(), BUSYBOX_APPLETS, format: 4 }),
    from: 'Debian packages and lab artifacts, built here',
    fill: async (dir, progress) => {
      const scratch = await mkdtemp(join(tmpdir(), 'lab-images-'));
      try {
        const base = await baseLayer(scratch);
        const applets = await appletLayer(scratch);
        const images = [];
        for (const image of spec.images) {
          const layers = [base];
          if (image.applets) layers.push(applets);
          if (image.packages.length > 0) {
            const debs = await debianPackages({
              packages: image.packages,
              purpose: `image ${image.ref}`,
            });
            layers.push(join(debs.dir, 'rootfs.tar'));
          }
          // An image's own binaries (CoreDNS, flanneld, agnhost) may be long Go builds: say so.
          if (hasTopLayer(image)) layers.push(await filesLayer(scratch, image, (m) => progress(`  ${m}`)));
          images.push(
            await buildImage({
              repository: image.repository,
              tag: image.tag,
              layers,
              cmd: image.cmd,
              entrypoint: image.entrypoint,
            }),
          );
        }
        await writeRegistryStore(dir, images);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  });
  return {
    name: spec.name,
    description: spec.description,
    images: spec.images,
    files: ['docker'],
    get sources() {
      return [source()];
    },
  };
}

export const labImages = imageSet({
  name: 'lab-images',
  description: "the lab's container images (registry storage)",
  images: LAB_IMAGES,
});
