// Image references as containerd resolves them, and the check that every image a manifest
// names is one the lab's registry serves.
import { describe, expect, it } from 'vitest';
import {
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
