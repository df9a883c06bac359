// CoreDNS from the Go module proxy (github.com/coredns/coredns, no replace directives), built
// in our build module coredns-build/ (go.mod pins it, go.sum everything else), and the image
// the lab registry serves it as: the binary alone on the images' base layer.
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleSource } from '../../lab/artifacts/providers/go.js';
import { imageSet } from '../../lab/cluster/lab-images.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

export const COREDNS_VERSION = 'v1.14.7';
/** The name kubeadm and kind clusters use, so manifests from elsewhere find it too. */
export const COREDNS_IMAGE = `registry.k8s.io/coredns/coredns:${COREDNS_VERSION}`;

export const coredns: ArtifactSpec = {
  name: 'coredns',
  description: 'CoreDNS, the cluster DNS server',
  files: ['coredns'],
  sources: [
    goModuleSource({
      version: COREDNS_VERSION,
      buildDir: join(PROJECT_ROOT, 'overlays/coredns/coredns-build'),
      packages: ['github.com/coredns/coredns'],
      // What CoreDNS's Makefile stamps (`coredns -version` prints it).
      stamps: { 'github.com/coredns/coredns/coremain.GitCommit': COREDNS_VERSION },
    }),
  ],
};

export const corednsImages = imageSet({
  name: 'coredns-images',
  description: 'the CoreDNS image (registry storage)',
  images: [
    {
      ref: COREDNS_IMAGE,
      repository: 'coredns/coredns',
      tag: COREDNS_VERSION,
      packages: [],
      files: [{ artifact: coredns, into: '/' }],
      // As upstream's image: manifests pass only the arguments.
      entrypoint: ['/coredns'],
      cmd: ['-conf', '/etc/coredns/Corefile'],
    },
  ],
});
