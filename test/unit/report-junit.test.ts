import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toJUnitXml } from '../../lab/report/junit.js';
import { setupFailedResult } from '../../lab/scenario/runner.js';
import { scenarioOf, scenarioResult, stepResult } from './scenario-fixtures.js';

const xmllintAvailable = spawnSync('xmllint', ['--version']).status === 0;

/** Runs `xmllint --noout` on the document; returns its complaints, '' when well-formed. */
function xmllintErrors(xml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    const run = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
    return run.status === 0 ? '' : run.stderr || `xmllint exited with ${run.status}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The attributes of every `<tag ...>` in document order, decoded. */
function elements(xml: string, tag: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${tag}((?:\\s+[\\w-]+="[^"]*")*)\\s*/?>`, 'g'))].map((m) =>
    Object.fromEntries(
      [...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], decode(a[2] ?? '')]),
    ),
  );
}

/** Text inside each `<tag ...>...</tag>`, decoded. */
function texts(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`, 'g'))].map((m) =>
    decode(m[1] ?? ''),
  );
}

function decode(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(
      /&(lt|gt|quot|apos);/g,
      (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '',
    )
    .replace(/&amp;/g, '&');
}

const mixedResult = scenarioResult(
  [
    stepResult({ name: 'boots', status: 'passed', durationMs: 2100, output: ['vm-001 up', 'vm-002 up'] }),
    stepResult({
      name: 'pings',
      status: 'failed',
      durationMs: 350,
      failure: {
        message: 'ping: expected 0, got 1',
        stack:
          'StepFailure: ping: expected 0, got 1\n    at check (scenarios/ping.ts:3:9)\n    at run (x.js:1:1)',
      },
    }),
    stepResult({ name: 'cleans up', status: 'skipped', durationMs: 0 }),
  ],
  { scenario: 'multus', accel: 'kvm', lab: 'lab1', durationMs: 2450, startedAt: '2024-05-06T07:08:09.000Z' },
);

describe('toJUnitXml', () => {
  it('writes one testsuite per scenario with counts, time and timestamp', () => {
    const xml = toJUnitXml([mixedResult, scenarioResult([stepResult({ name: 'x', status: 'passed' })])]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expect(elements(xml, 'testsuites')).toEqual([
      { name: 'lab', tests: '4', failures: '1', errors: '0', skipped: '1', time: '3.450' },
    ]);
    expect(elements(xml, 'testsuite')).toEqual([
      {
        name: 'multus',
        tests: '3',
        failures: '1',
        errors: '0',
        skipped: '1',
        time: '2.450',
        timestamp: '2024-05-06T07:08:09.000Z',
      },
      {
        name: 'demo',
        tests: '1',
        failures: '0',
        errors: '0',
        skipped: '0',
        time: '1.000',
        timestamp: '2024-05-06T07:08:09.000Z',
      },
    ]);
  });

  it('records accel and lab as properties', () => {
    const xml = toJUnitXml([mixedResult]);
    expect(elements(xml, 'property')).toEqual([
      { name: 'accel', value: 'kvm' },
      { name: 'lab', value: 'lab1' },
      { name: 'description', value: 'the demo scenario' },
    ]);
  });

  it('writes one testcase per step, named after the scenario and the step', () => {
    const xml = toJUnitXml([mixedResult]);
    expect(elements(xml, 'testcase')).toEqual([
      { classname: 'multus', name: 'boots', time: '2.100' },
      { classname: 'multus', name: 'pings', time: '0.350' },
      { classname: 'multus', name: 'cleans up', time: '0.000' },
    ]);
  });

  it('puts the failure message in the attribute and adds the stack frames to the text', () => {
    const xml = toJUnitXml([mixedResult]);
    expect(elements(xml, 'failure')).toEqual([{ message: 'ping: expected 0, got 1' }]);
    expect(texts(xml, 'failure')).toEqual([
      'ping: expected 0, got 1\n    at check (scenarios/ping.ts:3:9)\n    at run (x.js:1:1)',
    ]);
  });

  it('marks skipped steps and keeps each step’s output with it', () => {
    const xml = toJUnitXml([mixedResult]);
    const cases = xml.split('<testcase ').slice(1);
    expect(cases.map((c) => c.includes('<skipped/>'))).toEqual([false, false, true]);
    expect(cases.map((c) => texts(c, 'system-out'))).toEqual([['vm-001 up\nvm-002 up'], [], []]);
  });

  it('adds a failed setup as a testcase named "setup", before the skipped steps', () => {
    const scenario = scenarioOf([{ name: 'a', run: async () => {} }], 'boot-fails');
    const error = new Error('qemu exited with 1\nqemu: could not open disk');
    const result = setupFailedResult(scenario, {
      accel: 'tcg',
      lab: 'lab2',
      startedAt: new Date('2024-01-02T03:04:05Z'),
      durationMs: 4000,
      error,
    });
    const xml = toJUnitXml([result]);
    expect(elements(xml, 'testsuite')[0]).toMatchObject({ tests: '2', failures: '1', skipped: '1' });
    expect(elements(xml, 'testcase').map((c) => c.name)).toEqual(['setup', 'a']);
    expect(elements(xml, 'testcase')[0]?.time).toBe('4.000');
    expect(elements(xml, 'failure')).toEqual([{ message: 'qemu exited with 1\nqemu: could not open disk' }]);
  });

  it('escapes markup and quotes, and keeps newlines in attributes', () => {
    const nasty = `a & b < c > d "e" 'f'\n\tg`;
    const xml = toJUnitXml([
      scenarioResult(
        [stepResult({ name: nasty, status: 'failed', failure: { message: nasty }, output: [nasty] })],
        { scenario: nasty, description: nasty, lab: nasty },
      ),
    ]);
    expect(xml).not.toMatch(/& /);
    expect(xml).toContain('a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;&#10;&#9;g');
    expect(elements(xml, 'testcase')[0]).toEqual({ classname: nasty, name: nasty, time: '1.000' });
    expect(elements(xml, 'failure')[0]?.message).toBe(nasty);
    expect(texts(xml, 'system-out')).toEqual([nasty]);
  });

  it('removes characters XML 1.0 forbids, and terminal colour codes, but keeps other text', () => {
    const raw =
      'nul\u0000 bell\u0007 vt\u000b ff\u000c \u001b[31mred\u001b[0m lone\ud800 \ufffe\uffff pair😀 é';
    const xml = toJUnitXml([scenarioResult([stepResult({ name: 'x', status: 'passed', output: [raw] })])]);
    expect(texts(xml, 'system-out')).toEqual(['nul bell vt ff red lone  pair😀 é']);
  });

  it.skipIf(!xmllintAvailable)('is well-formed according to xmllint', () => {
    const raw = 'x\u0000\u001b[1m<b>&amp;</b>]]>\ud800"\'';
    const hostile = scenarioResult(
      [
        stepResult({
          name: raw,
          status: 'failed',
          failure: { message: raw, stack: `Error: ${raw}\n    at ${raw}` },
          output: [raw, raw],
        }),
        stepResult({ name: 'skipped', status: 'skipped' }),
      ],
      { scenario: raw, description: raw, lab: raw, accel: raw },
    );
    expect(xmllintErrors(toJUnitXml([mixedResult, hostile]))).toBe('');
    expect(xmllintErrors(toJUnitXml([]))).toBe('');
  });

  it.skipIf(!xmllintAvailable)('uses an xmllint that rejects malformed XML', () => {
    expect(xmllintErrors('<a>&</a>')).not.toBe('');
    expect(xmllintErrors('<a b="\u0001"/>')).not.toBe('');
  });
});
