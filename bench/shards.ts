// The nightly suite split over N CI jobs (issue: shards and a CI matrix), simulated from
// measured durations:
//   npx tsx bench/shards.ts [results.json ...]
// Each results.json is one `lab test` run's (a later file wins for a scenario both measured);
// scenarios none of them measured get their own weight, scaled to the measured ones, exactly
// as `lab test --shard I/N --durations FILE` plans. For N = 1, 2, 4, 8 it prints each shard's
// scenarios and seconds; the longest shard bounds the suite's wall time.
import { readFile } from 'node:fs/promises';
import { loadScenario } from '../lab/scenario/load.js';
import { durationsFromResults, planShards, suiteWeights } from '../lab/scenario/shard.js';
import { suiteScenarios } from '../lab/scenario/suite.js';

const files = process.argv.slice(2);
const measured: Record<string, number> = {};
for (const file of files) Object.assign(measured, durationsFromResults(await readFile(file, 'utf8'), file));

const names = await suiteScenarios('nightly');
const own = Object.fromEntries(
  await Promise.all(names.map(async (n) => [n, (await loadScenario(n)).weight ?? 1] as const)),
);
// Scenarios' own weights are minutes; measured durations are seconds.
const unscaled = Object.keys(measured).length === 0 ? 60 : 1;
const weights = suiteWeights(names, (n) => (own[n] ?? 1) * unscaled, measured);
const secs = (s: number) => `${s.toFixed(0)} s`;

console.log('scenario durations (lab start + steps):');
for (const name of names)
  console.log(
    `  ${name.padEnd(28)} ${secs(weights[name] ?? 0).padStart(7)}  ${measured[name] === undefined ? '(own weight, scaled)' : 'measured'}`,
  );

const total = Object.values(weights).reduce((a, b) => a + b, 0);
console.log('\nshards  wall (longest shard)  vs 1 job  busiest/idlest  shards');
for (const count of [1, 2, 4, 8]) {
  const plan = planShards(weights, count);
  const loads = plan.map((shard) => shard.reduce((sum, n) => sum + (weights[n] ?? 0), 0));
  const wall = Math.max(...loads);
  const busy = loads.filter((l) => l > 0);
  console.log(
    `${String(count).padStart(6)}  ${secs(wall).padStart(20)}  ${(total / wall).toFixed(2).padStart(7)}×  ${secs(Math.max(...busy))}/${secs(Math.min(...busy))}`.padEnd(
      56,
    ) + plan.map((shard, i) => `${i + 1}: ${shard.join(' ') || '-'}`).join(' | '),
  );
}
