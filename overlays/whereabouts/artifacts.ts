// whereabouts v0.9.2 from the Go module proxy (github.com/k8snetworkplumbingwg/whereabouts, built
// in our build module whereabouts-build/, which keeps the module's one replace): the IPAM plugin
// and the ip-reconciler (ip-control-loop), the image upstream's DaemonSet names with the
// module's own install scripts, and the addon: the module's CRDs and doc/crds/daemonset-install.yaml
// (data from the module cache, not copies in this repository) with resource limits left out.
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleFile, goModuleSource } from '../../lab/artifacts/providers/go.js';
import { imageSet } from '../../lab/cluster/lab-images.js';
import { moduleManifests } from '../../lab/cluster/module-manifests.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

export const WHEREABOUTS_MODULE = 'github.com/k8snetworkplumbingwg/whereabouts';
export const WHEREABOUTS_VERSION = 'v0.9.2';
/** The name upstream's DaemonSet runs. */
export const WHEREABOUTS_IMAGE = 'ghcr.io/k8snetworkplumbingwg/whereabouts:latest';
const BUILD_DIR = join(PROJECT_ROOT, 'overlays/whereabouts/whereabouts-build');
const moduleFile = (path: string) => goModuleFile(WHEREABOUTS_MODULE, WHEREABOUTS_VERSION, path);

export const whereabouts: ArtifactSpec = {
  name: 'whereabouts',
  description: 'whereabouts IPAM plugin and ip-reconciler',
  // cmd/ is the plugin's main package, cmd/controlloop the reconciler's: go names them so.
  files: ['cmd', 'controlloop'],
  sources: [
    goModuleSource({
      version: WHEREABOUTS_VERSION,
      buildDir: BUILD_DIR,
      packages: [`${WHEREABOUTS_MODULE}/cmd`, `${WHEREABOUTS_MODULE}/cmd/controlloop`],
    }),
  ],
};

/** The module's install scripts, as upstream's Dockerfile puts them at /. */
const SCRIPTS = ['install-cni.sh', 'lib.sh', 'token-watcher.sh'];

export const whereaboutsImages = imageSet({
  name: 'whereabouts-images',
  description: 'the whereabouts image (registry storage)',
  images: [
    {
      ref: WHEREABOUTS_IMAGE,
      repository: 'k8snetworkplumbingwg/whereabouts',
      tag: 'latest',
      // The scripts' tools: busybox's sh, awk, sed…; coreutils for base64, md5sum, chmod, touch, tr.
      packages: ['busybox-static', 'coreutils'],
      applets: true,
      files: [
        { artifact: whereabouts, into: '/' },
        ...SCRIPTS.map((script) => ({ hostFile: moduleFile(`script/${script}`), into: '/', mode: 0o755 })),
      ],
      // Upstream's image names: /whereabouts (copied to the node) and /ip-control-loop.
      links: { '/whereabouts': 'cmd', '/ip-control-loop': 'controlloop' },
      cmd: ['/install-cni.sh'],
    },
  ],
});

const ADDON_FILES = [
  'doc/crds/whereabouts.cni.cncf.io_ippools.yaml',
  'doc/crds/whereabouts.cni.cncf.io_overlappingrangeipreservations.yaml',
  'doc/crds/whereabouts.cni.cncf.io_nodeslicepools.yaml',
  'doc/crds/daemonset-install.yaml',
];

export const whereaboutsAddon = moduleManifests({
  name: 'whereabouts-addon',
  module: WHEREABOUTS_MODULE,
  version: WHEREABOUTS_VERSION,
  files: ADDON_FILES,
  buildDir: BUILD_DIR,
  output: 'whereabouts.yaml',
});
