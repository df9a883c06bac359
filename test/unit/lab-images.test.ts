// Image references as containerd resolves them, and the check that every image a manifest
// names is one the lab's registry serves.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  imageSet,
  imagesOfManifests,
  LAB_IMAGES,
  missingImages,
  normalizeImageRef,
} from '../../lab/cluster/lab-images.js';

describe('normalizeImageRef', () => {
  it.each([
    ['alpine', 'docker.io', 'library/alpine', 'latest'],
    ['alpine:20201021', 'docker.io', 'library/alpine', '20201021'],
    ['dougbtv/centos-network', 'docker.io', 'dougbtv/centos-network', 'latest'],
    ['docker.io/lab/toolbox:1', 'docker.io', 'lab/toolbox', '1'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io', 'pause', '3.10'],
    ['localhost:5000/x/y:2', 'localhost:5000', 'x/y', '2'],
    ['quay.io/a/b@sha256:abc', 'quay.io', 'a/b', 'latest'],
  ])('%s', (ref, registry, repository, tag) => {
    expect(normalizeImageRef(ref)).toEqual({ registry, repository, tag });
  });
});

describe('missingImages', () => {
  it("accepts the seeds' short names of images the lab builds", () => {
    expect(missingImages(['alpine', 'dougbtv/centos-network', 'docker.io/lab/toolbox:1'])).toEqual([]);
  });

  it('reports images the lab does not serve, once each', () => {
    expect(missingImages(['alpine:20201021', 'nginx', 'nginx', 'alpine'])).toEqual([
      'alpine:20201021',
      'nginx',
    ]);
  });

  it('every lab image is found by its own reference', () => {
    expect(missingImages(LAB_IMAGES.map((i) => i.ref))).toEqual([]);
  });
});

describe('imagesOfManifests', () => {
  it('finds containers and initContainers in every YAML document', () => {
    const yaml = `apiVersion: v1
kind: Pod
spec:
  initContainers: [{ name: i, image: busybox }]
  containers:
  - name: a
    image: alpine
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: b
        image: "dougbtv/centos-network"
`;
    expect(imagesOfManifests(yaml).sort()).toEqual(['alpine', 'busybox', 'dougbtv/centos-network']);
  });

  it('reads JSON too', () => {
    expect(imagesOfManifests(JSON.stringify({ spec: { containers: [{ image: 'x:1' }] } }))).toEqual(['x:1']);
  });
});

describe('imageSet', () => {
  it('writes an image with its entrypoint, host files, directories, links and users on top', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'lab-image-set-'));
    try {
      await writeFile(join(tmp, 'server.crt'), 'a certificate\n');
      const set = imageSet({
        name: 'test-images',
        description: 'test',
        images: [
          {
            ref: 'registry.k8s.io/e2e-test-images/agnhost:9',
            repository: 'e2e-test-images/agnhost',
            tag: '9',
            packages: [],
            files: [{ hostFile: join(tmp, 'server.crt'), into: '/' }],
            dirs: ['uploads'],
            links: { 'agnhost-2': 'agnhost' },
            users: ['someone:x:1000:1000::/tmp:/bin/sh'],
            entrypoint: ['/agnhost'],
            cmd: ['pause'],
          },
        ],
      });
      const store = join(tmp, 'store');
      await set.sources[0]?.fill(store, () => {});
      const v2 = join(store, 'docker/registry/v2');
      const blob = (digest: string) =>
        readFile(join(v2, 'blobs/sha256', digest.slice(7, 9), digest.slice(7), 'data'));
      const manifestDigest = await readFile(
        join(v2, 'repositories/e2e-test-images/agnhost/_manifests/tags/9/current/link'),
        'utf8',
      );
      const manifest = JSON.parse((await blob(manifestDigest)).toString()) as {
        config: { digest: string };
        layers: Array<{ digest: string }>;
      };
      const config = JSON.parse((await blob(manifest.config.digest)).toString());
      expect(config.config).toMatchObject({ Entrypoint: ['/agnhost'], Cmd: ['pause'] });
      // Base layer, then the top one (no packages, no applets).
      expect(manifest.layers).toHaveLength(2);
      const top = join(tmp, 'top.tar');
      await writeFile(top, gunzipSync(await blob(manifest.layers[1]?.digest ?? '')));
      const listing = (await execa('tar', ['-tvf', top])).stdout;
      expect(listing).toMatch(/ \.\/server\.crt$/m);
      expect(listing).toMatch(/^d.* \.\/uploads\/$/m);
      expect(listing).toMatch(/ \.\/agnhost-2 -> agnhost$/m);
      const passwd = (await execa('tar', ['-xOf', top, './etc/passwd'])).stdout;
      expect(passwd.split('\n')).toEqual([
        'root:x:0:0:root:/root:/bin/sh',
        'someone:x:1000:1000::/tmp:/bin/sh',
      ]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
