// JUnit XML for CI: one <testsuite> per scenario, one <testcase> per step (and one named
// "setup" when the lab failed to boot). Command output ends up in here verbatim, so every
// piece of text goes through the escaping below.
import type { ScenarioResult } from '../scenario/runner.js';
import { attributes, escapeMarkup as text } from './markup.js';
import { type CaseCounts, countCases, type ReportedCase, reportedCases } from './summary.js';

export function toJUnitXml(results: readonly ScenarioResult[]): string {
  const totals = countCases(results.flatMap(reportedCases));
  const totalMs = results.reduce((sum, r) => sum + r.durationMs, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: 'lab', ...suiteCounts(totals), time: seconds(totalMs) })}>`,
    ...results.flatMap(testsuite),
    '</testsuites>',
  ];
  return `${lines.join('\n')}\n`;
}

function testsuite(result: ScenarioResult): string[] {
  const cases = reportedCases(result);
  const suite = attributes({
    name: result.scenario,
    ...suiteCounts(countCases(cases)),
    time: seconds(result.durationMs),
    timestamp: result.startedAt,
  });
  return [
    `  <testsuite${suite}>`,
    '    <properties>',
    `      <property${attributes({ name: 'accel', value: result.accel })}/>`,
    `      <property${attributes({ name: 'lab', value: result.lab })}/>`,
    `      <property${attributes({ name: 'description', value: result.description })}/>`,
    '    </properties>',
    ...cases.flatMap((c) => testcase(result.scenario, c)),
    '  </testsuite>',
  ];
}

function testcase(scenario: string, c: ReportedCase): string[] {
  const open = `    <testcase${attributes({ classname: scenario, name: c.name, time: seconds(c.durationMs) })}`;
  const children: string[] = [];
  if (c.status === 'failed') {
    const message = c.failure?.message ?? 'failed';
    const frames = stackFrames(c.failure?.stack);
    const body = frames.length > 0 ? `${message}\n${frames.join('\n')}` : message;
    children.push(`<failure${attributes({ message })}>${text(body)}</failure>`);
  }
  if (c.status === 'skipped') children.push('<skipped/>');
  if (c.output && c.output.length > 0) children.push(`<system-out>${text(c.output.join('\n'))}</system-out>`);
  if (children.length === 0) return [`${open}/>`];
  return [`${open}>`, ...children.map((child) => `      ${child}`), '    </testcase>'];
}

/** JUnit's tests/failures/errors/skipped; a failed step is a failure, never an "error". */
function suiteCounts({ passed, failed, skipped }: CaseCounts) {
  return { tests: passed + failed + skipped, failures: failed, errors: 0, skipped };
}

// The stack's first lines repeat the message (which may span several lines), so only the
// "    at ..." frames are added after it.
function stackFrames(stack: string | undefined): string[] {
  return (stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
