// Container images without a container engine: OCI image manifests and configs written from
// plain tar layers, and the storage tree of a Docker registry (distribution v2, filesystem
// driver) holding them, so the lab's registry serves them with no push and no internet.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface Blob {
  digest: string; // sha256:<hex>
  data: Buffer;
}

export interface ImageSpec {
  /** Repository as clients name it, e.g. "library/alpine" or "pause". */
  repository: string;
  tag: string;
  /** Uncompressed tar files, bottom layer first. */
  layers: string[];
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
}

export interface BuiltImage {
  repository: string;
  tag: string;
  manifest: Blob;
  config: Blob;
  layers: Blob[];
}

/** sha256:<hex> of the bytes, as registries and image configs name content. */
export const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
export const blob = (data: Buffer): Blob => ({ digest: sha(data), data });

/** An image's size in MiB as a registry stores it (config and layers). */
export const imageMiB = (image: BuiltImage) =>
  [image.config, ...image.layers].reduce((sum, b) => sum + b.data.length, 0) / 2 ** 20;

export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const tars = await Promise.all(spec.layers.map((path) => readFile(path)));
  // mtime 0 in the gzip header: the same tar always gives the same digest.
  const layers = tars.map((tar) => blob(gzipSync(tar, { level: 6 })));
  const config = blob(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config: {
          Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
          ...(spec.cmd ? { Cmd: spec.cmd } : {}),
        },
        rootfs: { type: 'layers', diff_ids: tars.map(sha) },
      }),
    ),
  );
  const manifest = ociManifest(config, layers, () => OCI_LAYER_GZIP);
  return { repository: spec.repository, tag: spec.tag, manifest, config, layers };
}

/** An OCI image manifest for a config and its layers (bottom first), as a blob. */
export function ociManifest(config: Blob, layers: Blob[], mediaTypeOf: (layer: Blob) => string): Blob {
  return blob(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.data.length },
        layers: layers.map((l) => ({ mediaType: mediaTypeOf(l), digest: l.digest, size: l.data.length })),
      }),
    ),
  );
}

/**
 * Writes `images` into `root` the way the registry's filesystem storage driver keeps them
 * (docker/registry/v2/{blobs,repositories}); point the registry's rootdirectory at `root`.
 */
export async function writeRegistryStore(root: string, images: BuiltImage[]): Promise<void> {
  const v2 = join(root, 'docker/registry/v2');
  const link = async (path: string, digest: string) => {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, 'link'), digest);
  };
  for (const image of images) {
    for (const b of [image.manifest, image.config, ...image.layers]) {
      const hex = b.digest.slice('sha256:'.length);
      const dir = join(v2, 'blobs/sha256', hex.slice(0, 2), hex);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'data'), b.data);
    }
    const repo = join(v2, 'repositories', image.repository);
    for (const b of [image.config, ...image.layers]) {
      await link(join(repo, '_layers/sha256', b.digest.slice('sha256:'.length)), b.digest);
    }
    const manifestHex = image.manifest.digest.slice('sha256:'.length);
    await link(join(repo, '_manifests/revisions/sha256', manifestHex), image.manifest.digest);
    await link(join(repo, '_manifests/tags', image.tag, 'current'), image.manifest.digest);
    await link(join(repo, '_manifests/tags', image.tag, 'index/sha256', manifestHex), image.manifest.digest);
  }
}

/**
 * The image `repository:tag` of a storage tree writeRegistryStore wrote (an image set's
 * artifact), read back with every blob; undefined when the tree has no such tag.
 */
export async function readRegistryImage(
  root: string,
  repository: string,
  tag: string,
): Promise<BuiltImage | undefined> {
  const v2 = join(root, 'docker/registry/v2');
  const readBlob = async (digest: string): Promise<Blob> => {
    const hex = digest.slice('sha256:'.length);
    const data = await readFile(join(v2, 'blobs/sha256', hex.slice(0, 2), hex, 'data'));
    return { digest, data };
  };
  const link = join(v2, 'repositories', repository, '_manifests/tags', tag, 'current/link');
  const digest = await readFile(link, 'utf8').catch(() => undefined);
  if (digest === undefined) return undefined;
  const manifest = await readBlob(digest.trim());
  const parsed = JSON.parse(manifest.data.toString('utf8')) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  const config = await readBlob(parsed.config.digest);
  const layers = await Promise.all(parsed.layers.map((l) => readBlob(l.digest)));
  return { repository, tag, manifest, config, layers };
}
