// The HTML report, parsed strictly (it is well-formed XML by design): counts agree with the
// terminal's summary line, failures are visible with their message, everything is escaped,
// and the page needs nothing from outside itself.
import { describe, expect, it } from 'vitest';
import type { LabState } from '../../lab/lifecycle/state.js';
import { topologySvg } from '../../lab/report/graph.js';
import { type HtmlReportInput, htmlReport } from '../../lab/report/html.js';
import { summaryLine } from '../../lab/report/summary.js';
import { labBuilds } from '../../lab/scenario/execute.js';
import { setupFailedResult } from '../../lab/scenario/runner.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';
import { scenarioOf, scenarioResult, stepResult } from './scenario-fixtures.js';
import { byClass, byName, findAll, parseXml, textOf, type XmlElement } from './xml-tree.js';

const passing = scenarioResult(
  [
    stepResult({ name: 'boots', status: 'passed', durationMs: 2000 }),
    stepResult({ name: 'has addresses', status: 'passed', durationMs: 500 }),
  ],
  { scenario: 'basic', description: 'VMs boot and get their addresses' },
);

const failing = scenarioResult(
  [
    stepResult({ name: 'boots', status: 'passed', durationMs: 4000, output: ['vm-001 up'] }),
    stepResult({
      name: 'pings',
      status: 'failed',
      durationMs: 1000,
      failure: { message: 'ping vm-002: expected exit 0, got 1\n<b>100% packet loss</b> & "timeout"' },
    }),
    stepResult({ name: 'cleans up', status: 'skipped', durationMs: 0 }),
  ],
  { scenario: 'netcheck', description: 'every VM reaches every other', accel: 'tcg' },
);

const svg = topologySvg(planLab(mergeConfig([{ name: 'tlab', nvm: 2 }])));

const input: HtmlReportInput = {
  title: 'lab test results',
  generatedAt: '2024-05-06T07:09:00.000Z',
  scenarios: [
    { result: passing, logs: [{ name: 'vm-001 console', tail: 'should not be shown' }] },
    {
      result: failing,
      topologySvg: svg,
      logs: [
        { name: 'vm-001 console', tail: 'login: \u001b[31mfailed\u001b[0m <kernel> & panic' },
        { name: 'vm-002 console', tail: 'ok' },
      ],
    },
  ],
};

const page = () => parseXml(htmlReport(input));

function section(root: XmlElement, name: string): XmlElement {
  const found = findAll(root, (e) => e.name === 'section' && e.attrs.id === `scenario-${name}`);
  expect(found).toHaveLength(1);
  return found[0] as XmlElement;
}

function stepRow(root: XmlElement, scenario: string, step: string): XmlElement {
  const rows = findAll(section(root, scenario), byClass('step'));
  const row = rows.find((r) => textOf(findAll(r, byClass('name'))[0] ?? r) === step);
  if (!row) throw new Error(`no step "${step}" in ${scenario}`);
  return row;
}

const visibleStatus = (row: XmlElement) => textOf(findAll(row, byClass('status'))[0] ?? row);

describe('htmlReport', () => {
  it('heads the page with the summary line and the time', () => {
    const html = page();
    expect(textOf(findAll(html, byClass('summary'))[0] ?? html)).toBe(summaryLine([passing, failing]));
    expect(summaryLine([passing, failing])).toBe('3 passed, 1 failed, 1 skipped');
    const time = findAll(html, byName('time'))[0];
    expect(time?.attrs.datetime).toBe('2024-05-06T07:09:00.000Z');
    expect(textOf(findAll(html, byName('title'))[0] ?? html)).toBe('lab test results');
  });

  it('has one section per scenario, classed by its status, with its facts', () => {
    const html = page();
    expect(section(html, 'basic').attrs.class).toBe('scenario passed');
    const failed = section(html, 'netcheck');
    expect(failed.attrs.class).toBe('scenario failed');
    expect(textOf(findAll(failed, byClass('description'))[0] ?? failed)).toBe('every VM reaches every other');
    const facts = findAll(failed, byClass('facts'))[0]?.children.filter((c) => typeof c !== 'string') ?? [];
    expect(facts.map(textOf)).toEqual([
      ...['result', summaryLine([failing])],
      ...['accelerator', 'tcg'],
      ...['lab', 'tlab'],
      ...['started', '2024-05-06T07:08:09.000Z'],
      ...['duration', '5.0 s'],
    ]);
  });

  it('marks the failed step FAILED, with its whole message in a <pre>', () => {
    const row = stepRow(page(), 'netcheck', 'pings');
    expect(row.attrs['data-status']).toBe('failed');
    expect(visibleStatus(row)).toBe('FAILED');
    const pre = findAll(row, byName('pre'));
    expect(pre.map(textOf)).toEqual([failing.steps[1]?.failure?.message]);
    expect(visibleStatus(stepRow(page(), 'netcheck', 'cleans up'))).toBe('SKIPPED');
    expect(visibleStatus(stepRow(page(), 'netcheck', 'boots'))).toBe('PASSED');
  });

  it('has as many rows of each status as the summary line counts', () => {
    const html = page();
    const [passed, failed, skipped] = summaryLine([passing, failing]).match(/\d+/g)?.map(Number) ?? [];
    const rows = (status: string) =>
      findAll(html, (e) => byClass('step')(e) && e.attrs['data-status'] === status);
    expect([rows('passed').length, rows('failed').length, rows('skipped').length]).toEqual([
      passed,
      failed,
      skipped,
    ]);
  });

  it('shows a lab that never booted as a failed setup row', () => {
    const result = setupFailedResult(scenarioOf([{ name: 'a', run: async () => {} }], 'noboot'), {
      accel: 'kvm',
      lab: 'tlab',
      startedAt: new Date('2024-05-06T07:08:09.000Z'),
      durationMs: 3000,
      error: new Error('vm-001 did not boot'),
    });
    const html = parseXml(htmlReport({ ...input, scenarios: [{ result }] }));
    expect(textOf(findAll(html, byClass('summary'))[0] ?? html)).toBe(summaryLine([result]));
    const failedRows = findAll(html, (e) => byClass('step')(e) && e.attrs['data-status'] === 'failed');
    expect(failedRows.map((row) => textOf(findAll(row, byName('pre'))[0] ?? row))).toEqual([
      'vm-001 did not boot',
    ]);
  });

  it("shows a booted lab's start time as a fact beside the steps, not as a step row", () => {
    const booted = { ...passing, setup: { name: 'setup', status: 'passed' as const, durationMs: 238_700 } };
    const html = parseXml(htmlReport({ ...input, scenarios: [{ result: booted }] }));
    const facts = findAll(html, byClass('facts'))[0] ?? html;
    const terms = findAll(facts, byName('dt')).map(textOf);
    const values = findAll(facts, byName('dd')).map(textOf);
    expect(values[terms.indexOf('lab start')]).toBe('238.7 s, cold boot');
    expect(values[terms.indexOf('steps')]).toBe('2.5 s');
    expect(terms).not.toContain('duration');
    const restored = { ...booted, setup: { ...booted.setup, durationMs: 9_400, restoredFrom: 'multus' } };
    const again = parseXml(htmlReport({ ...input, scenarios: [{ result: restored }] }));
    const againFacts = findAll(again, byClass('facts'))[0] ?? again;
    expect(findAll(againFacts, byName('dd')).map(textOf)).toContain('9.4 s, restored from snapshot multus');
    expect(
      findAll(html, byClass('step')).map((row) => textOf(findAll(row, byClass('name'))[0] ?? row)),
    ).toEqual(['boots', 'has addresses']);
  });

  it('names what ran that is not the pinned build: built from a checkout, deployed', () => {
    const state = {
      builtFrom: [{ artifact: 'multus', dir: '/src/multus-cni', version: '1a2b3c4-dirty' }],
      deployed: {
        multus: { source: 'pinned', version: 'v4.3.0', at: '2026-12-06T00:00:00Z', buildMs: 1, copyMs: 1 },
      },
    } as unknown as LabState;
    const builds = labBuilds(state);
    expect(builds).toEqual([
      'multus 1a2b3c4-dirty, built from /src/multus-cni at the start',
      "multus v4.3.0, deployed from the overlay's pinned build (last deploy)",
    ]);
    const html = parseXml(htmlReport({ ...input, scenarios: [{ result: { ...passing, builds } }] }));
    const facts = findAll(html, byClass('facts'))[0] ?? html;
    const terms = findAll(facts, byName('dt')).map(textOf);
    expect(terms.filter((t) => t === 'build')).toHaveLength(2);
    expect(findAll(facts, byName('dd')).map(textOf)).toEqual(expect.arrayContaining(builds));
    expect(labBuilds({} as LabState)).toEqual([]);
  });

  it('sizes bars by duration, relative to the longest step of the scenario', () => {
    const html = page();
    const width = (step: string) =>
      findAll(stepRow(html, 'netcheck', step), byClass('bar'))[0]?.attrs.style?.replace(/\s/g, '');
    expect([width('boots'), width('pings'), width('cleans up')]).toEqual([
      'width:100.0%',
      'width:25.0%',
      'width:0.0%',
    ]);
  });

  it('inlines the topology SVG in a figure only when given', () => {
    const html = page();
    const figures = findAll(html, byClass('topology'));
    expect(figures).toHaveLength(1);
    expect(figures[0]?.name).toBe('figure');
    const inlined = findAll(figures[0] as XmlElement, byName('svg'));
    expect(inlined.map((e) => e.attrs['data-lab'])).toEqual(['tlab']);
    expect(findAll(inlined[0] as XmlElement, byClass('vm'))).toHaveLength(2);
    expect(findAll(section(html, 'basic'), byClass('topology'))).toEqual([]);
    // A standalone file's XML declaration does not belong in the middle of a page.
    const declared = htmlReport({
      ...input,
      scenarios: [{ result: passing, topologySvg: `<?xml version="1.0"?>\n${svg}` }],
    });
    expect(declared).not.toContain('<?xml');
  });

  it('shows log tails in <details> for a failed scenario only, colour codes removed', () => {
    const html = page();
    const logs = findAll(section(html, 'netcheck'), (e) => byName('details')(e) && byClass('log')(e));
    expect(logs.map((d) => textOf(findAll(d, byName('summary'))[0] ?? d))).toEqual([
      'vm-001 console',
      'vm-002 console',
    ]);
    expect(textOf(findAll(logs[0] as XmlElement, byName('pre'))[0] as XmlElement)).toBe(
      'login: failed <kernel> & panic',
    );
    expect(findAll(section(html, 'basic'), byClass('log'))).toEqual([]);
  });

  it('escapes every piece of text, attributes included', () => {
    const hostile = '<script>alert(1)</script>"\'&';
    const result = { ...failing, description: hostile, lab: hostile, accel: hostile };
    const text = htmlReport({
      title: hostile,
      generatedAt: hostile,
      scenarios: [{ result, logs: [{ name: hostile, tail: hostile }] }],
    });
    expect(text).not.toContain('<script');
    const html = parseXml(text);
    expect(findAll(html, byName('script'))).toEqual([]);
    expect(textOf(findAll(html, byName('h1'))[0] ?? html)).toBe(hostile);
    expect(findAll(html, byName('time'))[0]?.attrs.datetime).toBe(hostile);
    expect(textOf(findAll(html, byClass('log'))[0] ?? html)).toBe(hostile + hostile);
  });

  it('needs nothing from outside: no scripts, no external URLs', () => {
    const text = htmlReport(input);
    const html = parseXml(text);
    const names = new Set(findAll(html, () => true).map((e) => e.name));
    for (const banned of ['script', 'link', 'img', 'iframe', 'object']) expect(names).not.toContain(banned);
    expect(findAll(html, (e) => 'src' in e.attrs)).toEqual([]);
    expect(findAll(html, (e) => 'href' in e.attrs).every((e) => e.attrs.href?.startsWith('#'))).toBe(true);
    expect(text).not.toMatch(/url\(|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
  });
});
