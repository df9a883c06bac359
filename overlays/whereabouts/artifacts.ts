// whereabouts v0.9.2 from the Go module proxy (github.com/k8snetworkplumbingwg/whereabouts, built
// in our build module whereabouts-build/, which keeps the module's one replace): the IPAM plugin
// and the ip-reconciler (ip-control-loop), the image upstream's DaemonSet names with the
// module's own install scripts, and the addon: the module's CRDs and doc/crds/daemonset-install.yaml
// (data from the module cache, not copies in this repository) with resource limits left out.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleFile, goModuleSource } from '../../lab/artifacts/providers/go.js';
import { imageSet } from '../../lab/cluster/lab-images.js';
import { run } from '../../lab/util/exec.js';
import { inputKey } from '../../lab/util/hash.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';
import { withoutLimits } from '../multus-thick/artifacts.js';

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

export const whereaboutsAddon: ArtifactSpec = {
  name: 'whereabouts-addon',
  description: "whereabouts' CRDs and DaemonSet, resource limits left out",
  files: ['whereabouts.yaml'],
  sources: [
    {
      kind: 'build',
      version: inputKey({ module: WHEREABOUTS_MODULE, version: WHEREABOUTS_VERSION, ADDON_FILES, edit: 2 }),
      from: `${ADDON_FILES.length} manifests of ${WHEREABOUTS_MODULE}@${WHEREABOUTS_VERSION} in the Go module cache`,
      fill: async (dir) => {
        await run(['go', 'mod', 'download', `${WHEREABOUTS_MODULE}@${WHEREABOUTS_VERSION}`], {
          cwd: BUILD_DIR,
          what: `go mod download ${WHEREABOUTS_MODULE}@${WHEREABOUTS_VERSION}`,
        });
        const docs = await Promise.all(ADDON_FILES.map((file) => readFile(moduleFile(file), 'utf8')));
        const header = `# ${ADDON_FILES.join(', ')} of ${WHEREABOUTS_MODULE}@${WHEREABOUTS_VERSION}, read from the Go module cache by lab; resource limits removed.\n`;
        await writeFile(join(dir, 'whereabouts.yaml'), header + withoutLimits(docs.join('\n---\n')));
      },
    },
  ],
};
