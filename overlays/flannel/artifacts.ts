// flannel from the Go module proxy: flanneld (github.com/flannel-io/flannel) and the flannel CNI
// plugin (plugins/meta/flannel of github.com/containernetworking/plugins v0.9.1; the
// flannel-io/cni-plugin module is not served here), each built in a build module of ours, and the
// image the lab registry serves them as, which the DaemonSet runs (seed 002's way).
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleSource } from '../../lab/artifacts/providers/go.js';
import { IPTABLES_NFT_LINKS, imageSet } from '../../lab/cluster/lab-images.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

export const FLANNEL_VERSION = 'v0.28.10';
export const CNI_FLANNEL_VERSION = 'v0.9.1';
/** The name upstream's manifests use, so a manifest from elsewhere finds it too. */
export const FLANNEL_IMAGE = `docker.io/flannel/flannel:${FLANNEL_VERSION}`;

export const flanneld: ArtifactSpec = {
  name: 'flanneld',
  description: 'flanneld, the flannel daemon (VXLAN backend here)',
  files: ['flannel'],
  sources: [
    goModuleSource({
      version: FLANNEL_VERSION,
      buildDir: join(PROJECT_ROOT, 'overlays/flannel/flannel-build'),
      packages: ['github.com/flannel-io/flannel'],
      // What flannel's Makefile stamps (`flanneld --version` prints it).
      stamps: { 'github.com/flannel-io/flannel/pkg/version.Version': FLANNEL_VERSION },
      cgo: true,
    }),
  ],
};

export const cniFlannel: ArtifactSpec = {
  name: 'cni-flannel',
  description: 'the flannel CNI plugin (delegates to bridge and host-local)',
  files: ['flannel'],
  sources: [
    goModuleSource({
      version: CNI_FLANNEL_VERSION,
      buildDir: join(PROJECT_ROOT, 'overlays/flannel/cni-flannel-build'),
      packages: ['github.com/containernetworking/plugins/plugins/meta/flannel'],
    }),
  ],
};

export const flannelImages = imageSet({
  name: 'flannel-images',
  description: 'the flannel image (registry storage)',
  images: [
    {
      ref: FLANNEL_IMAGE,
      repository: 'flannel/flannel',
      tag: FLANNEL_VERSION,
      // flanneld programs masquerading and forwarding through iptables (the nft backend, as
      // on the nodes); busybox's cp is what the DaemonSet's init containers run.
      packages: ['iptables', 'busybox-static'],
      applets: true,
      files: [
        { artifact: flanneld, into: '/opt/bin' },
        { artifact: cniFlannel, into: '/opt/cni' },
      ],
      // Upstream's image calls it flanneld.
      links: { ...IPTABLES_NFT_LINKS, '/opt/bin/flanneld': 'flannel' },
      dirs: ['/run/flannel', '/etc/kube-flannel'],
      entrypoint: ['/opt/bin/flanneld'],
      cmd: [],
    },
  ],
});
