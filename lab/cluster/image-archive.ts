// `lab image load ARCHIVE` (and lab start --image): images a user brings (docker save, podman save, skopeo copy to
// docker-archive: or oci-archive:) read from their tar into the lab registry's storage format.
// Everything is read and checked first (names, JSON, every blob's digest), so a bad archive
// loads nothing.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { normalizeImageRef } from './lab-images.js';
import {
  type Blob,
  type BuiltImage,
  blob as blobOf,
  sha as digestOf,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  ociManifest,
} from './oci.js';

const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

const isGzip = (data: Buffer) => data[0] === 0x1f && data[1] === 0x8b;

/** The images of a docker-archive or OCI-layout tar, ready for writeRegistryStore. */
export async function readImageArchive(archive: string): Promise<BuiltImage[]> {
  const bad = (why: string) =>
    new UsageError(`${archive}: ${why}`, 'an archive as docker save, podman save or skopeo copy write it');
  if (!(await stat(archive).catch(() => undefined))?.isFile())
    throw new UsageError(`${archive}: no such file`);
  const dir = await mkdtemp(join(tmpdir(), 'lab-image-load-'));
  try {
    await run(['tar', '-xf', archive, '-C', dir], { what: `tar -xf ${archive}` }).catch(() => {
      throw bad('not a tar archive');
    });
    const read = (path: string, what: string) =>
      readFile(join(dir, path)).catch(() => {
        throw bad(`${what} ${path} is missing`);
      });
    const json = async <T>(path: string, what: string): Promise<T> => {
      try {
        return JSON.parse((await read(path, what)).toString('utf8')) as T;
      } catch (err) {
        throw err instanceof UsageError ? err : bad(`${what} ${path} is not JSON`);
      }
    };
    const has = (path: string) =>
      stat(join(dir, path)).then(
        () => true,
        () => false,
      );
    if (await has('manifest.json')) return await dockerArchive(json, read, bad);
    if (await has('index.json')) return await ociLayout(json, read, bad);
    throw bad('neither manifest.json (docker-archive) nor index.json (OCI layout) in it');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

type Json = <T>(path: string, what: string) => Promise<T>;
type Read = (path: string, what: string) => Promise<Buffer>;
type Bad = (why: string) => UsageError;

async function dockerArchive(json: Json, read: Read, bad: Bad): Promise<BuiltImage[]> {
  const entries = await json<Array<{ Config?: string; RepoTags?: string[]; Layers?: string[] }>>(
    'manifest.json',
    'the index',
  );
  if (!Array.isArray(entries) || entries.length === 0) throw bad('manifest.json lists no image');
  const images: BuiltImage[] = [];
  for (const entry of entries) {
    if (!entry.Config || !Array.isArray(entry.Layers))
      throw bad('an entry of manifest.json lacks Config or Layers');
    if (!entry.RepoTags?.length) throw bad(`image ${entry.Config} has no name (RepoTags): save it by name`);
    const config = blobOf(await read(entry.Config, 'config'));
    const diffIds =
      (JSON.parse(config.data.toString('utf8')) as { rootfs?: { diff_ids?: string[] } }).rootfs?.diff_ids ??
      [];
    const layers: Blob[] = [];
    for (const path of entry.Layers) layers.push(blobOf(await read(path, 'layer')));
    if (diffIds.length !== layers.length)
      throw bad(`${entry.Config}: ${layers.length} layers, its config names ${diffIds.length}`);
    const manifest = ociManifest(config, layers, (l) => (isGzip(l.data) ? OCI_LAYER_GZIP : OCI_LAYER_TAR));
    for (const name of entry.RepoTags) {
      const { repository, tag } = normalizeImageRef(name);
      images.push({ repository, tag, manifest, config, layers });
    }
  }
  return images;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

async function ociLayout(json: Json, read: Read, bad: Bad): Promise<BuiltImage[]> {
  const blob = async (digest: string, what: string): Promise<Blob> => {
    const data = await read(`blobs/${digest.replace(':', '/')}`, what);
    if (digestOf(data) !== digest) throw bad(`${what} ${digest} does not match its digest`);
    return { digest, data };
  };
  const index = await json<{ manifests?: Descriptor[] }>('index.json', 'the index');
  if (!index.manifests?.length) throw bad('index.json lists no image');
  const images: BuiltImage[] = [];
  for (const entry of index.manifests) {
    const name =
      entry.annotations?.['io.containerd.image.name'] ??
      entry.annotations?.['org.opencontainers.image.ref.name'];
    if (!name || !/[/:]/.test(name))
      throw bad(`image ${entry.digest} has no full name (io.containerd.image.name): save it by name`);
    let descriptor = entry;
    if (entry.mediaType === OCI_INDEX || entry.mediaType === DOCKER_LIST) {
      const list = JSON.parse((await blob(entry.digest, 'image index')).data.toString('utf8')) as {
        manifests?: Descriptor[];
      };
      const amd64 = list.manifests?.find(
        (m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64',
      );
      if (!amd64) throw bad(`${name}: no linux/amd64 image in its index`);
      descriptor = amd64;
    }
    const manifest = await blob(descriptor.digest, 'manifest');
    const parsed = JSON.parse(manifest.data.toString('utf8')) as {
      config?: Descriptor;
      layers?: Descriptor[];
    };
    if (!parsed.config || !Array.isArray(parsed.layers))
      throw bad(`${name}: its manifest lacks config or layers`);
    const config = await blob(parsed.config.digest, 'config');
    const layers: Blob[] = [];
    for (const layer of parsed.layers) layers.push(await blob(layer.digest, 'layer'));
    const { repository, tag } = normalizeImageRef(name);
    images.push({ repository, tag, manifest, config, layers });
  }
  return images;
}

/**
 * Writes images as an OCI-layout tar (what `skopeo copy … oci-archive:` and `ctr export` write),
 * each under its full name (io.containerd.image.name), so readImageArchive, containerd and
 * skopeo read it back by name.
 */
export async function writeOciArchive(
  file: string,
  images: ReadonlyArray<{ name: string; image: BuiltImage }>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'lab-image-save-'));
  try {
    await mkdir(join(dir, 'blobs/sha256'), { recursive: true });
    for (const { image } of images)
      for (const b of [image.manifest, image.config, ...image.layers])
        await writeFile(join(dir, 'blobs/sha256', b.digest.slice('sha256:'.length)), b.data);
    const manifests = images.map(({ name, image }) => ({
      mediaType: OCI_MANIFEST,
      digest: image.manifest.digest,
      size: image.manifest.data.length,
      annotations: {
        'io.containerd.image.name': name,
        'org.opencontainers.image.ref.name': image.tag,
      },
    }));
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
    await run(['tar', '--owner=0', '--group=0', '--sort=name', '-C', dir, '-cf', file, '.'], {
      what: `writing ${file}`,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
