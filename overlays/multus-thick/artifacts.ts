// Multus's thick plugin from the same module as the thin one (multus-cni v4.3.0): multus-daemon,
// multus-shim and install_multus built in our build module multus-thick-build/, the image
// upstream's DaemonSet names, and that DaemonSet itself: deployments/multus-daemonset-thick.yml
// as the module ships it (data from the module cache, not a copy in this repository), with the
// CPU and memory limits left out (under TCG 100m of CPU starves the daemon).
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleSource } from '../../lab/artifacts/providers/go.js';
import { imageSet } from '../../lab/cluster/lab-images.js';
import { moduleManifests } from '../../lab/cluster/module-manifests.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';
import { MULTUS_MODULE, MULTUS_VERSION, multusStamps } from '../cni/artifacts.js';

/** The name upstream's thick DaemonSet runs. */
export const MULTUS_THICK_IMAGE = 'ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick';
const BIN_DIR = '/usr/src/multus-cni/bin';
const BUILD_DIR = join(PROJECT_ROOT, 'overlays/multus-thick/multus-thick-build');

const THICK_COMMANDS = ['multus-daemon', 'multus-shim', 'install_multus', 'passthru-cni'];

export const multusThick = {
  name: 'multus-thick',
  description: 'Multus thick plugin: multus-daemon, multus-shim, install_multus, passthru-cni',
  files: THICK_COMMANDS,
  sources: [
    goModuleSource({
      version: MULTUS_VERSION,
      buildDir: BUILD_DIR,
      packages: THICK_COMMANDS.map((cmd) => `${MULTUS_MODULE}/cmd/${cmd}`),
      stamps: multusStamps(MULTUS_VERSION, 'go-module-proxy'),
    }),
  ],
  // lab start --multus thick --src ~/multus-cni: the image holds the developer's build.
  checkout: {
    module: MULTUS_MODULE,
    packages: THICK_COMMANDS.map((cmd) => `./cmd/${cmd}`),
    stamps: (version: string) => multusStamps(version, version),
  },
} satisfies ArtifactSpec;

export const multusThickImages = imageSet({
  name: 'multus-thick-images',
  description: 'the multus thick plugin image (registry storage)',
  images: [
    {
      ref: MULTUS_THICK_IMAGE,
      repository: 'k8snetworkplumbingwg/multus-cni',
      tag: 'snapshot-thick',
      packages: [],
      files: [{ artifact: multusThick, into: BIN_DIR }],
      links: {
        // install_multus -t thick copies it under this name, as upstream's image has it.
        [`${BIN_DIR}/passthru`]: 'passthru-cni',
        // The kubelet names pod netns /var/run/netns/…; the daemon finds them through the
        // /run/netns mount only with Debian's /var/run -> /run (our base layer has no /var).
        '/var/run': '../run',
      },
      dirs: ['/run'],
      cmd: [`${BIN_DIR}/multus-daemon`],
    },
  ],
});

export const multusThickAddon = moduleManifests({
  name: 'multus-thick-addon',
  module: MULTUS_MODULE,
  version: MULTUS_VERSION,
  files: ['deployments/multus-daemonset-thick.yml'],
  buildDir: BUILD_DIR,
  output: 'multus-daemonset-thick.yaml',
});
