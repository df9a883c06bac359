// Splitting a suite over CI jobs: every scenario exactly once, shards about equally long, the
// same split in every job, sensible with scenarios added or removed since the durations were measured.
import { describe, expect, it } from 'vitest';
import {
  durationsFromResults,
  parseShard,
  planShards,
  shardScenarios,
  suiteWeights,
} from '../../lab/scenario/shard.js';
import { UsageError } from '../../lab/util/errors.js';

const WEIGHTS = {
  multinet: 60,
  'cni-multus': 100,
  k8s: 500,
  multus: 700,
  'k8s-conformance-network': 3000,
  a: 5,
  b: 5,
};

describe('planShards', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('puts every scenario in exactly one of %i shards', (count) => {
    const shards = planShards(WEIGHTS, count);
    expect(shards).toHaveLength(count);
    expect(shards.flat().sort()).toEqual(Object.keys(WEIGHTS).sort());
    // Each shard, asked for on its own, is the same list.
    for (let i = 1; i <= count; i++)
      expect(shardScenarios(WEIGHTS, { index: i, count })).toEqual(shards[i - 1]);
  });

  it('balances by weight: the longest scenario alone, the rest spread', () => {
    const shards = planShards(WEIGHTS, 2);
    expect(shards[0]).toEqual(['k8s-conformance-network']);
    expect(shards[1]).toEqual(['a', 'b', 'cni-multus', 'k8s', 'multinet', 'multus']);
    const small: Record<string, number> = { w: 4, x: 3, y: 3, z: 2 };
    const loads = planShards(small, 2).map((s) => s.reduce((sum, n) => sum + (small[n] ?? 0), 0));
    expect(loads.sort()).toEqual([6, 6]);
  });

  it('gives an empty shard when there are more shards than scenarios', () => {
    expect(planShards({ a: 1 }, 3)).toEqual([['a'], [], []]);
  });
});

describe('suiteWeights', () => {
  it('uses measured seconds, and scales the own weight of a scenario added since', () => {
    const weights = suiteWeights(['old', 'new'], (n) => (n === 'old' ? 2 : 4), { old: 100, gone: 50 });
    expect(weights).toEqual({ old: 100, new: 200 });
  });

  it('a scenario removed since the measurement is simply not planned', () => {
    const weights = suiteWeights(['a'], () => 1, { a: 10, removed: 99 });
    expect(planShards(weights, 2)).toEqual([['a'], []]);
  });
});

describe('parseShard and durationsFromResults', () => {
  it('reads I/N and refuses anything else with a usage error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) expect(() => parseShard(bad)).toThrow(UsageError);
  });

  it('reads durations from a results.json, setup included, and names a bad file', () => {
    const json = JSON.stringify({
      scenarios: [{ scenario: 'k8s', durationMs: 60_000, setup: { durationMs: 300_000 } }],
    });
    expect(durationsFromResults(json, 'r.json')).toEqual({ k8s: 360 });
    expect(() => durationsFromResults('{"scenarios": 1}', 'r.json')).toThrow(
      /--durations r.json: not a lab results.json/,
    );
    expect(() => durationsFromResults('nope', 'r.json')).toThrow(/not JSON/);
  });
});
