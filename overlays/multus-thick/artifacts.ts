// Multus's thick plugin from the same module as the thin one (multus-cni v4.3.0): multus-daemon,
// multus-shim and install_multus built in our build module multus-thick-build/, the image
// upstream's DaemonSet names, and that DaemonSet itself: deployments/multus-daemonset-thick.yml
// as the module ships it (data from the module cache, not a copy in this repository), with the
// CPU and memory limits left out (under TCG 100m of CPU starves the daemon).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { goModuleFile, goModuleSource } from '../../lab/artifacts/providers/go.js';
import { imageSet } from '../../lab/cluster/lab-images.js';
import { run } from '../../lab/util/exec.js';
import { inputKey } from '../../lab/util/hash.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';
import { MULTUS_MODULE, MULTUS_VERSION, multusStamps } from '../cni/artifacts.js';

/** The name upstream's thick DaemonSet runs. */
export const MULTUS_THICK_IMAGE = 'ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick';
const BIN_DIR = '/usr/src/multus-cni/bin';
const DAEMONSET_FILE = 'deployments/multus-daemonset-thick.yml';
const BUILD_DIR = join(PROJECT_ROOT, 'overlays/multus-thick/multus-thick-build');

export const multusThick: ArtifactSpec = {
  name: 'multus-thick',
  description: 'Multus thick plugin: multus-daemon, multus-shim, install_multus, passthru-cni',
  files: ['multus-daemon', 'multus-shim', 'install_multus', 'passthru-cni'],
  sources: [
    goModuleSource({
      version: MULTUS_VERSION,
      buildDir: BUILD_DIR,
      packages: ['multus-daemon', 'multus-shim', 'install_multus', 'passthru-cni'].map(
        (cmd) => `${MULTUS_MODULE}/cmd/${cmd}`,
      ),
      stamps: multusStamps(MULTUS_VERSION, 'go-module-proxy'),
    }),
  ],
};

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

/** Upstream's thick DaemonSet manifest with every container's resource limits removed. */
export function withoutLimits(yamlText: string): string {
  // Kubernetes reads manifests as YAML 1.1, where `defaultMode: 0744` is octal (484), not 744.
  const docs = parseAllDocuments(yamlText, { version: '1.1' }).map(
    (doc) => doc.toJS() as Record<string, unknown> | null,
  );
  for (const doc of docs) {
    const spec = (doc?.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
    for (const list of ['containers', 'initContainers'] as const) {
      for (const container of (spec?.[list] as Array<{ resources?: { limits?: unknown } }> | undefined) ?? [])
        delete container.resources?.limits;
    }
  }
  return docs
    .filter((doc) => doc !== null)
    .map((doc) => stringify(doc))
    .join('---\n');
}

export const multusThickAddon: ArtifactSpec = {
  name: 'multus-thick-addon',
  description: `multus's ${DAEMONSET_FILE}, resource limits left out`,
  files: ['multus-daemonset-thick.yaml'],
  sources: [
    {
      kind: 'build',
      version: inputKey({ module: MULTUS_MODULE, version: MULTUS_VERSION, file: DAEMONSET_FILE, edit: 2 }),
      from: `${DAEMONSET_FILE} of ${MULTUS_MODULE}@${MULTUS_VERSION} in the Go module cache`,
      fill: async (dir) => {
        // Cheap when the thick build fetched it already; the order of artifacts is not promised.
        await run(['go', 'mod', 'download', `${MULTUS_MODULE}@${MULTUS_VERSION}`], {
          cwd: BUILD_DIR,
          what: `go mod download ${MULTUS_MODULE}@${MULTUS_VERSION}`,
        });
        const source = goModuleFile(MULTUS_MODULE, MULTUS_VERSION, DAEMONSET_FILE);
        const text = await readFile(source, 'utf8');
        const header = `# ${DAEMONSET_FILE} of ${MULTUS_MODULE}@${MULTUS_VERSION}, read from the Go module cache by lab; resource limits removed.\n`;
        await writeFile(join(dir, 'multus-daemonset-thick.yaml'), header + withoutLimits(text));
      },
    },
  ],
};
