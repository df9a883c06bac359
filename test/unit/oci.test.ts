// Images written by lab/cluster/oci.ts, served by the real Docker registry (Debian's
// docker-registry) from the storage tree we wrote, on 127.0.0.1 only.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltImage, buildImage, OCI_MANIFEST, writeRegistryStore } from '../../lab/cluster/oci.js';
import { retryUntil } from '../../lab/util/retry.js';

let tmp = '';
let registry: ChildProcess | undefined;
let base = '';
let image: BuiltImage;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The registry binary of the host's Debian: the installed one, else unpacked from the package
 * into the test dir. Never apt-get install: on a host with systemd that would also start a
 * registry service on :5000 on every interface.
 */
async function registryBinary(dir: string): Promise<string> {
  const installed = await execa('sh', ['-c', 'command -v docker-registry'], { reject: false });
  if (installed.exitCode === 0) return installed.stdout.trim();
  const download = () => execa('apt-get', ['download', 'docker-registry'], { cwd: dir, reject: false });
  if ((await download()).exitCode !== 0) {
    await execa('apt-get', ['update', '-qq']); // a fresh machine may have no package lists yet
    await execa('apt-get', ['download', 'docker-registry'], { cwd: dir });
  }
  const deb = (await execa('sh', ['-c', 'ls docker-registry_*.deb'], { cwd: dir })).stdout.trim();
  await execa('dpkg-deb', ['-x', join(dir, deb), join(dir, 'pkg')]);
  return join(dir, 'pkg/usr/bin/docker-registry');
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'lab-oci-'));
  await mkdir(join(tmp, 'rootfs/usr/bin'), { recursive: true });
  await writeFile(join(tmp, 'rootfs/usr/bin/hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  await execa('tar', ['-C', join(tmp, 'rootfs'), '-cf', join(tmp, 'layer.tar'), 'usr']);
  image = await buildImage({
    repository: 'lab/hello',
    tag: '1',
    layers: [join(tmp, 'layer.tar')],
    cmd: ['/usr/bin/hello'],
  });
  await writeRegistryStore(join(tmp, 'store'), [image]);
  const binary = await registryBinary(tmp);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  await writeFile(
    join(tmp, 'config.yml'),
    [
      'version: 0.1',
      'log: {level: error}',
      `storage: {filesystem: {rootdirectory: ${join(tmp, 'store')}}, maintenance: {readonly: {enabled: true}, uploadpurging: {enabled: false}}}`,
      `http: {addr: "127.0.0.1:${port}"}`,
    ].join('\n'),
  );
  registry = spawn(binary, ['serve', join(tmp, 'config.yml')], { stdio: 'ignore' });
  await retryUntil(
    async () => {
      if ((await fetch(`${base}/v2/`)).status !== 200) throw new Error('not up');
    },
    { timeoutMs: 10_000, intervalMs: 100, what: 'docker-registry to listen' },
  );
}, 120_000);

afterAll(async () => {
  registry?.kill();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('an image in a registry store we wrote', () => {
  it('is listed and its tag resolves to our manifest, digest and all', async () => {
    expect(await (await fetch(`${base}/v2/_catalog`)).json()).toEqual({ repositories: ['lab/hello'] });
    const res = await fetch(`${base}/v2/lab/hello/manifests/1`, { headers: { Accept: OCI_MANIFEST } });
    expect(res.status).toBe(200);
    expect(res.headers.get('docker-content-digest')).toBe(image.manifest.digest);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(image.manifest.data);
  });

  it('serves the layer, whose content is the tar we gave, and a config naming its diff id', async () => {
    const manifest = JSON.parse(image.manifest.data.toString());
    const layer = Buffer.from(
      await (await fetch(`${base}/v2/lab/hello/blobs/${manifest.layers[0].digest}`)).arrayBuffer(),
    );
    const listing = await execa('tar', ['-t'], { input: gunzipSync(layer) });
    expect(listing.stdout.split('\n')).toContain('usr/bin/hello');
    const config = await (await fetch(`${base}/v2/lab/hello/blobs/${manifest.config.digest}`)).json();
    expect(config.config.Cmd).toEqual(['/usr/bin/hello']);
    expect(config.rootfs.diff_ids).toHaveLength(1);
  });

  it('is byte-for-byte the same when built again (stable digests)', async () => {
    const again = await buildImage({
      repository: 'lab/hello',
      tag: '1',
      layers: [join(tmp, 'layer.tar')],
      cmd: ['/usr/bin/hello'],
    });
    expect(again.manifest.digest).toBe(image.manifest.digest);
  });

  it('answers 404 for a tag that is not there', async () => {
    expect(
      (await fetch(`${base}/v2/lab/hello/manifests/2`, { headers: { Accept: OCI_MANIFEST } })).status,
    ).toBe(404);
  });
});
