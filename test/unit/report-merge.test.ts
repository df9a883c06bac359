// lab report merge: shards' results folders become one run whose summary equals an unsharded
// run's; a scenario in two folders, or a folder without a usable results.json, is refused by name.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeRuns } from '../../lab/report/merge.js';
import { writeRunResults } from '../../lab/report/results.js';
import { UsageError } from '../../lab/util/errors.js';
import { scenarioResult, stepResult } from './scenario-fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-merge-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const good = scenarioResult(
  [stepResult({ name: 'a', status: 'passed' }), stepResult({ name: 'b', status: 'passed' })],
  {
    scenario: 'good',
  },
);
const broken = scenarioResult(
  [
    stepResult({ name: 'ping', status: 'failed', failure: { message: 'no answer' } }),
    stepResult({ name: 'c', status: 'skipped' }),
  ],
  { scenario: 'broken' },
);

describe('mergeRuns', () => {
  it('gives the counts of one unsharded run, the longest wall time, and where each scenario ran', async () => {
    const whole = join(dir, 'whole');
    await writeRunResults(whole, { title: 'lab suite nightly', wallMs: 900_000, parallel: 1 }, [
      { result: structuredClone(good) },
      { result: structuredClone(broken) },
    ]);
    const [one, two] = [join(dir, 'shard1'), join(dir, 'shard2')];
    await writeRunResults(one, { title: 'lab suite nightly (shard 1/2)', wallMs: 500_000, parallel: 1 }, [
      { result: structuredClone(good) },
    ]);
    await writeRunResults(two, { title: 'lab suite nightly (shard 2/2)', wallMs: 420_000, parallel: 1 }, [
      { result: structuredClone(broken) },
    ]);
    await mkdir(join(two, 'logs', 'broken'), { recursive: true });
    await writeFile(join(two, 'logs', 'broken', 'vm-001.console.log'), 'the kernel said no\n');

    const out = join(dir, 'merged');
    const merged = await mergeRuns([one, two], out);
    const wholeJson = JSON.parse(await readFile(join(whole, 'results.json'), 'utf8'));
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(merged.summary).toBe(wholeJson.summary);
    expect(json.summary).toBe(wholeJson.summary);
    expect(json.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual(['good', 'broken']);
    expect([json.wallMs, json.shards, json.title]).toEqual([500_000, 2, 'lab suite nightly (2 runs merged)']);
    expect(json.scenarios[1].ranIn).toMatch(/^lab suite nightly \(shard 2\/2\) on .+ \(.*shard2\)$/);
    expect(merged.failed).toBe(true);
    // The same test cases as the unsharded run, in the same order.
    expect(await readFile(join(out, 'junit.xml'), 'utf8')).toBe(
      await readFile(join(whole, 'junit.xml'), 'utf8'),
    );
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('merged from 2 shards');
    expect(html).toContain('the kernel said no');
  });

  it('refuses a scenario in two folders, and a folder without a usable results.json, naming it', async () => {
    const [a, b] = [join(dir, 'dup-a'), join(dir, 'dup-b')];
    for (const d of [a, b])
      await writeRunResults(d, { title: 't', wallMs: 1, parallel: 1 }, [{ result: structuredClone(good) }]);
    await expect(mergeRuns([a, b], join(dir, 'x'))).rejects.toThrow(
      /scenario good is in .*dup-a and in .*dup-b/,
    );
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(mergeRuns([a, empty], join(dir, 'x'))).rejects.toThrow(UsageError);
    await expect(mergeRuns([a, empty], join(dir, 'x'))).rejects.toThrow(/empty: no results.json/);
    await writeFile(
      join(empty, 'results.json'),
      '{"title": "t", "wallMs": 1, "scenarios": [{"scenario": 3}]}',
    );
    await expect(mergeRuns([empty], join(dir, 'x'))).rejects.toThrow(
      /results.json: not a lab results.json \(scenarios.0/,
    );
  });
});
