// The results folder of a run: JUnit, JSON and HTML agree, the topology picture is in the
// page, and a failed scenario's saved logs appear as tails (a passed one's do not).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logTails, writeRunResults } from '../../lab/report/results.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';
import { scenarioResult, stepResult } from './scenario-fixtures.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-results-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeRunResults', () => {
  it('writes junit.xml, results.json and report.html that agree, with pictures and failure logs', async () => {
    const evidence = join(dir, 'logs', 'broken');
    await mkdir(evidence, { recursive: true });
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n');
    await writeFile(join(evidence, 'vm-001.console.log'), `${lines}\n`);
    await writeFile(join(evidence, 'vm-001.guest-logs.txt'), '==> /var/log/multus.log\nmultus said no\n');
    const plan = planLab(mergeConfig([{ name: 'broken', nvm: 2 }]));
    const passed = scenarioResult([stepResult({ name: 'fine', status: 'passed' })], { scenario: 'good' });
    const failed = scenarioResult(
      [stepResult({ name: 'pods ping', status: 'failed', failure: { message: 'no answer from 10.3.2.10' } })],
      { scenario: 'broken', lab: 'broken' },
    );
    const report = await writeRunResults(dir, { title: 'lab suite nightly', wallMs: 926_000, parallel: 2 }, [
      { result: passed, plan, evidenceDir: evidence },
      { result: failed, plan, evidenceDir: evidence },
    ]);

    const json = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    expect(json.summary).toBe('1 passed, 1 failed');
    expect([json.wallMs, json.parallel]).toEqual([926_000, 2]);
    expect(json.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual(['good', 'broken']);
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testsuite /g)).toHaveLength(2);
    expect(junit).toContain('no answer from 10.3.2.10');

    const html = await readFile(report, 'utf8');
    expect(html).toContain('1 passed, 1 failed');
    expect(html).toContain('2 scenarios in 926.0 s, up to 2 labs at a time');
    expect(html.match(/<svg/g)).toHaveLength(2);
    const brokenSection = html.slice(html.indexOf('id="scenario-broken"'));
    const goodSection = html.slice(html.indexOf('id="scenario-good"'), html.indexOf('id="scenario-broken"'));
    expect(brokenSection).toContain('multus said no');
    expect(brokenSection).toContain('line 100');
    expect(brokenSection).not.toContain('line 40\n'); // only the tail
    expect(goodSection).not.toContain('multus said no');
  });

  it('logTails: the last 60 lines of each log file, none for a missing dir', async () => {
    const tails = await logTails(join(dir, 'logs', 'broken'));
    expect(tails.map((t) => t.name)).toEqual(['vm-001.console.log', 'vm-001.guest-logs.txt']);
    expect(tails[0]?.tail.split('\n')).toHaveLength(60);
    expect(tails[0]?.tail.startsWith('line 41')).toBe(true);
    expect(await logTails(join(dir, 'nope'))).toEqual([]);
    expect(await logTails(undefined)).toEqual([]);
  });
});
