// Kubernetes manifests a Go module ships (multus's thick DaemonSet, whereabouts' CRDs and
// DaemonSet), used as data: read from the Go module cache when a layer is built, never copied
// into this repository. One change for labs under TCG: containers' resource limits go (100m of
// CPU starves a Go daemon there).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { ArtifactSpec } from '../artifacts/artifact.js';
import { goModuleFile } from '../artifacts/providers/go.js';
import { run } from '../util/exec.js';
import { inputKey } from '../util/hash.js';

/** The manifests with every container's resource limits removed, document by document. */
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

/** An artifact of one file, `output`: the module's `files` joined, limits removed. */
export function moduleManifests(spec: {
  name: string;
  module: string;
  version: string;
  /** Paths inside the module, applied in this order. */
  files: string[];
  /** A build module that requires `module` (go mod download runs there). */
  buildDir: string;
  output: string;
}): ArtifactSpec {
  const { module, version, files } = spec;
  return {
    name: spec.name,
    description: `${files.join(', ')} of ${module}@${version}, resource limits left out`,
    files: [spec.output],
    sources: [
      {
        kind: 'build',
        version: inputKey({ module, version, files, edit: 2 }),
        from: `the Go module cache (${module}@${version})`,
        fill: async (dir) => {
          // Cheap when a build fetched the module already; the order of artifacts is not promised.
          await run(['go', 'mod', 'download', `${module}@${version}`], {
            cwd: spec.buildDir,
            what: `go mod download ${module}@${version}`,
          });
          const texts = await Promise.all(
            files.map((file) => readFile(goModuleFile(module, version, file), 'utf8')),
          );
          const header = `# ${files.join(', ')} of ${module}@${version}, read from the Go module cache by lab; resource limits removed.\n`;
          await writeFile(join(dir, spec.output), header + withoutLimits(texts.join('\n---\n')));
        },
      },
    ],
  };
}
