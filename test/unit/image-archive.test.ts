// lab image load's reader: docker-archive and OCI-layout tars become registry images under the
// names they were saved with; a broken archive (a missing layer, a blob whose digest lies, no
// name) is refused with its reason, before anything is loaded.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { readImageArchive, writeOciArchive } from '../../lab/cluster/image-archive.js';
import { buildImage, readRegistryImage, writeRegistryStore } from '../../lab/cluster/oci.js';
import { testTempDir } from '../support/temp-dir.js';

const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A layer tar with one file, made with tar as a user's tools would. */
async function layerTar(dir: string): Promise<Buffer> {
  const tree = join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  writeFileSync(join(tree, 'hello'), 'hello\n');
  await execa('tar', ['-C', tree, '-cf', join(dir, 'layer.tar'), '.']);
  const { readFileSync } = await import('node:fs');
  return readFileSync(join(dir, 'layer.tar'));
}

async function archive(dir: string, files: Record<string, Buffer | string>): Promise<string> {
  const root = join(dir, 'archive');
  for (const [path, data] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), data);
  }
  const tar = join(dir, 'images.tar');
  await execa('tar', ['-C', root, '-cf', tar, '.']);
  return tar;
}

describe('readImageArchive', () => {
  it('reads a docker-archive: each RepoTag an image, the config and layers as saved', async () => {
    const dir = testTempDir('lab-archive-');
    const layer = await layerTar(dir);
    const config = JSON.stringify({ os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } });
    const tar = await archive(dir, {
      'manifest.json': JSON.stringify([
        {
          Config: 'config.json',
          RepoTags: ['calico/node:v3.28.0', 'quay.io/x/y:1'],
          Layers: ['l1/layer.tar'],
        },
      ]),
      'config.json': config,
      'l1/layer.tar': layer,
    });
    const images = await readImageArchive(tar);
    expect(images.map((i) => `${i.repository}:${i.tag}`)).toEqual(['calico/node:v3.28.0', 'x/y:1']);
    expect(images[0]?.config.digest).toBe(sha(config));
    expect(images[0]?.layers.map((l) => l.digest)).toEqual([sha(layer)]);
    const manifest = JSON.parse(images[0]?.manifest.data.toString() ?? '{}');
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar');
  });

  it('reads an OCI layout by its io.containerd.image.name, checking every digest', async () => {
    const dir = testTempDir('lab-archive-');
    const layer = await layerTar(dir);
    const config = JSON.stringify({ os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } });
    const manifest = JSON.stringify({
      schemaVersion: 2,
      config: { digest: sha(config), size: config.length },
      layers: [{ digest: sha(layer), size: layer.length }],
    });
    const blob = (data: Buffer | string) => `blobs/sha256/${sha(data).slice(7)}`;
    const files = {
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      'index.json': JSON.stringify({
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: sha(manifest),
            annotations: { 'io.containerd.image.name': 'docker.io/calico/cni:v3.28.0' },
          },
        ],
      }),
      [blob(manifest)]: manifest,
      [blob(config)]: config,
      [blob(layer)]: layer,
    };
    const [image] = await readImageArchive(await archive(dir, files));
    expect(`${image?.repository}:${image?.tag}`).toBe('calico/cni:v3.28.0');
    expect(image?.manifest.data.toString()).toBe(manifest);

    const lying = testTempDir('lab-archive-');
    await expect(
      readImageArchive(await archive(lying, { ...files, [blob(layer)]: Buffer.from('not the layer') })),
    ).rejects.toThrow(/layer sha256:\w+ does not match its digest/);
  });

  it('refuses a missing layer, an unnamed image, a non-archive and a missing file', async () => {
    const dir = testTempDir('lab-archive-');
    const config = JSON.stringify({ rootfs: { diff_ids: ['sha256:00'] } });
    const missing = await archive(join(dir, 'a'), {
      'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: ['x:1'], Layers: ['gone.tar'] }]),
      'c.json': config,
    });
    await expect(readImageArchive(missing)).rejects.toThrow(/layer gone\.tar is missing/);
    const unnamed = await archive(join(dir, 'b'), {
      'manifest.json': JSON.stringify([{ Config: 'c.json', RepoTags: [], Layers: [] }]),
      'c.json': config,
    });
    await expect(readImageArchive(unnamed)).rejects.toThrow(/has no name \(RepoTags\)/);
    writeFileSync(join(dir, 'junk.tar'), 'not a tar at all');
    await expect(readImageArchive(join(dir, 'junk.tar'))).rejects.toThrow(/not a tar archive/);
    await expect(readImageArchive(join(dir, 'nope.tar'))).rejects.toThrow(/no such file/);
  });
});

describe('writeOciArchive', () => {
  it('writes what readImageArchive reads back by full name, every blob the same', async () => {
    const dir = testTempDir('lab-archive-');
    await layerTar(dir);
    const built = await buildImage({
      repository: 'flannel/flannel',
      tag: 'v0.28.10',
      layers: [join(dir, 'layer.tar')],
    });
    const store = join(dir, 'store');
    await writeRegistryStore(store, [built]);
    const read = await readRegistryImage(store, 'flannel/flannel', 'v0.28.10');
    expect(read?.manifest.digest).toBe(built.manifest.digest);
    expect(await readRegistryImage(store, 'flannel/flannel', 'v0')).toBeUndefined();
    const tar = join(dir, 'saved.tar');
    await writeOciArchive(tar, [{ name: 'docker.io/flannel/flannel:v0.28.10', image: built }]);
    const [back] = await readImageArchive(tar);
    expect(`${back?.repository}:${back?.tag}`).toBe('flannel/flannel:v0.28.10');
    expect(back?.manifest.digest).toBe(built.manifest.digest);
    expect(back?.layers.map((l) => l.digest)).toEqual(built.layers.map((l) => l.digest));
    expect(back?.layers[0]?.data.length).toBeGreaterThan(0);
  });
});
