// The multus overlay's own program: pod-cache (see pod-cache/main.go for why it exists).
import { join } from 'node:path';
import type { ArtifactSpec } from '../../lab/artifacts/artifact.js';
import { localGoSource } from '../../lab/artifacts/providers/go.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

export const podCache: ArtifactSpec = {
  name: 'pod-cache',
  description: "the node's pods for multus, from memory (Go, built from this repository)",
  files: ['pod-cache'],
  sources: [localGoSource(join(PROJECT_ROOT, 'overlays/multus-thin/pod-cache'), 'pod-cache')],
};
