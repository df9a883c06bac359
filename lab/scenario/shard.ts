// Splitting a suite over N CI jobs (`lab test --suite nightly --shard I/N`): every scenario in
// exactly one shard, the shards about equally long. Longest first onto the least loaded shard
// (the classic greedy for makespan), by measured durations when a previous results.json is
// given, else by each scenario's own weight; ties break by name, so every job computes the
// same split without talking to the others.
import { z } from 'zod';
import { UsageError } from '../util/errors.js';

export interface Shard {
  /** 1-based, as people and CI matrices count. */
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count)
    throw new UsageError(
      `--shard ${text}: not I/N with 1 <= I <= N`,
      'e.g. --shard 1/2 and --shard 2/2 in two jobs',
    );
  return { index, count };
}

/** The scenarios of each shard, shard 1 first; each list in name order. */
export function planShards(weights: Record<string, number>, count: number): string[][] {
  const shards = Array.from({ length: count }, () => ({ load: 0, names: [] as string[] }));
  const order = Object.entries(weights).sort(([a, wa], [b, wb]) => wb - wa || a.localeCompare(b));
  for (const [name, weight] of order) {
    // The least loaded shard; the lowest index among equals.
    const target = shards.reduce((best, shard) => (shard.load < best.load ? shard : best));
    target.load += weight;
    target.names.push(name);
  }
  return shards.map((shard) => shard.names.sort());
}

/** The scenarios shard `shard` runs. */
export function shardScenarios(weights: Record<string, number>, shard: Shard): string[] {
  return planShards(weights, shard.count)[shard.index - 1] ?? [];
}

const resultsSchema = z.object({
  scenarios: z.array(
    z.object({
      scenario: z.string(),
      durationMs: z.number().nonnegative(),
      setup: z.object({ durationMs: z.number().nonnegative() }).optional(),
    }),
  ),
});

/** Measured seconds per scenario from a results.json of an earlier run (setup included). */
export function durationsFromResults(json: string, file: string): Record<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UsageError(`--durations ${file}: not JSON`, 'give the results.json of an earlier lab test run');
  }
  const parsed = resultsSchema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(
      `--durations ${file}: not a lab results.json (${parsed.error.issues[0]?.path.join('.') || 'top level'})`,
      'give the results.json of an earlier lab test run',
    );
  return Object.fromEntries(
    parsed.data.scenarios.map((s) => [s.scenario, (s.durationMs + (s.setup?.durationMs ?? 0)) / 1000]),
  );
}

/**
 * Weights for the suite's scenarios: measured seconds where known; a scenario without a
 * measurement (new since that run) gets its own weight scaled to the measured ones' mean.
 */
export function suiteWeights(
  names: readonly string[],
  ownWeight: (name: string) => number,
  measured: Record<string, number> = {},
): Record<string, number> {
  const known = names.filter((n) => measured[n] !== undefined);
  const scale =
    known.length > 0
      ? known.reduce((sum, n) => sum + (measured[n] ?? 0), 0) /
        known.reduce((sum, n) => sum + ownWeight(n), 0)
      : 1;
  return Object.fromEntries(names.map((n) => [n, measured[n] ?? ownWeight(n) * scale]));
}
