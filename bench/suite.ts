// Nightly suite figures (issue: suite, reports, tutorial). Run as root:
//   npx tsx bench/suite.ts [parallel ...]       (default: 1 2)
// For each parallelism, one `lab test --suite nightly --parallel N` into a fresh results folder:
//  - suite wall time (host), and its ratio to the first parallelism given
//  - per scenario: lab start (QEMU start → every VM ready, plus image and network) and steps
//  - the results folder: report.html size, everything else, and the step counts
// Labs are named after their scenarios (lab-<scenario> namespaces): stop such labs first.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { ScenarioResult } from '../lab/scenario/runner.js';

const levels = process.argv.slice(2).length > 0 ? process.argv.slice(2).map(Number) : [1, 2];
const root = join(import.meta.dirname, '..');
const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(0)} s`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function folderBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const sizes = await Promise.all(
    entries.filter((e) => e.isFile()).map(async (e) => (await stat(join(e.parentPath, e.name))).size),
  );
  return sizes.reduce((sum, n) => sum + n, 0);
}

const walls: number[] = [];
for (const parallel of levels) {
  const results = `/tmp/lab-bench-suite-${parallel}`;
  await rm(results, { recursive: true, force: true });
  const started = Date.now();
  const run = await execa(
    'node',
    [
      join(root, 'bin/lab.js'),
      'test',
      '--suite',
      'nightly',
      '--parallel',
      String(parallel),
      '--results',
      results,
    ],
    { env: { ...process.env, NO_COLOR: '1' }, reject: false },
  );
  const wallMs = Date.now() - started;
  walls.push(wallMs);
  const record = JSON.parse(await readFile(join(results, 'results.json'), 'utf8')) as {
    summary: string;
    scenarios: ScenarioResult[];
  };
  const ratio = walls[0] ? ` (${(wallMs / walls[0]).toFixed(2)}x of --parallel ${levels[0]})` : '';
  console.log(
    `\n--parallel ${parallel}: ${secs(wallMs)} wall${ratio}; ${record.summary}; exit ${run.exitCode}`,
  );
  for (const s of record.scenarios)
    console.log(
      `  ${s.scenario.padEnd(12)} ${s.status.padEnd(7)} lab start ${secs(s.setup?.durationMs).padStart(6)}, steps ${secs(s.durationMs).padStart(6)}`,
    );
  const report = (await stat(join(results, 'report.html'))).size;
  console.log(`  report.html ${kb(report)}; results folder ${kb(await folderBytes(results))} (${results})`);
}
