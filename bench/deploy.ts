// How long `lab deploy multus --src` takes on a running lab (issue: the developer's loop):
//   npx tsx bench/deploy.ts LAB [runs]        (default 3 runs)
// Makes the developer tree of scenarios/support/multus-fix.ts once, then deploys it `runs`
// times (the first build may be cold; later ones have warm Go caches, the developer's case)
// and prints each run's build, copy and wall time, their medians, and puts the pinned build back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { multusTreeWithRouteFix } from '../scenarios/support/multus-fix.js';

const [name, runsArg = '3'] = process.argv.slice(2);
if (!name) {
  console.error(
    'usage: npx tsx bench/deploy.ts LAB [runs]   (a running lab with multus, e.g. lab start multus --name dev)',
  );
  process.exit(2);
}
const root = join(import.meta.dirname, '..');
const lab = (...args: string[]) =>
  execa('node', [join(root, 'bin/lab.js'), ...args, '--name', name], { all: true, reject: false });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const figures = /\(build ([\d.]+) s, copy ([\d.]+) s\)/;

const scratch = await mkdtemp(join(tmpdir(), 'lab-bench-deploy-'));
try {
  const tree = join(scratch, 'multus-cni');
  const version = await multusTreeWithRouteFix(tree);
  const rows: { build: number; copy: number; wall: number }[] = [];
  for (let i = 1; i <= Number(runsArg); i++) {
    const started = Date.now();
    const run = await lab('deploy', 'multus', '--src', tree);
    const wall = (Date.now() - started) / 1000;
    const match = figures.exec(run.stdout);
    if (run.exitCode !== 0 || !match) throw new Error(`lab deploy failed:\n${run.all}`);
    rows.push({ build: Number(match[1]), copy: Number(match[2]), wall });
    console.log(
      `run ${i}: build ${match[1]} s, copy ${match[2]} s, wall ${wall.toFixed(1)} s (multus ${version})`,
    );
  }
  const later = rows.length > 1 ? rows.slice(1) : rows;
  console.log(
    `median of runs ${rows.length > 1 ? `2-${rows.length}` : '1'} (warm Go caches): build ${median(later.map((r) => r.build)).toFixed(1)} s, ` +
      `copy ${median(later.map((r) => r.copy)).toFixed(1)} s, wall ${median(later.map((r) => r.wall)).toFixed(1)} s`,
  );
} finally {
  await lab('deploy', 'multus');
  await rm(scratch, { recursive: true, force: true });
}
