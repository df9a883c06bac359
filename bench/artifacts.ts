// Cost of getting the cni overlay's artifacts (issue: CNI without Kubernetes).
// Run: npx tsx bench/artifacts.ts [--cold]
//  - warm: the artifact is in the cache (every lab start after the first): median of 5 lookups
//  - --cold: an empty artifact cache (the Go module cache stays as it is), so multus is
//    built again and the Debian plugins extracted again; prints each wall time
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArtifactSpec, ensureArtifact } from '../lab/artifacts/artifact.js';
import { cniPlugins, multus } from '../overlays/cni/artifacts.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function timed(spec: ArtifactSpec): Promise<{ ms: number; source: string; built: boolean }> {
  const started = performance.now();
  const got = await ensureArtifact(spec);
  return { ms: performance.now() - started, source: `${got.source} ${got.version}`, built: got.built };
}

for (const spec of [multus, cniPlugins]) {
  await timed(spec); // make sure it is cached
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) runs.push((await timed(spec)).ms);
  runs.sort((a, b) => a - b);
  console.log(
    `${spec.name.padEnd(12)} warm (cached)  median ${seconds(runs[2] ?? 0)}  max ${seconds(runs[4] ?? 0)}`,
  );
}

if (process.argv.includes('--cold')) {
  const cache = await mkdtemp(join(tmpdir(), 'lab-bench-cache-'));
  process.env.LAB_CACHE = cache;
  try {
    for (const spec of [multus, cniPlugins]) {
      const { ms, source, built } = await timed(spec);
      console.log(
        `${spec.name.padEnd(12)} cold (empty artifact cache, ${source}, built ${built})  ${seconds(ms)}`,
      );
    }
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}
