// JUnit XML for CI: one <testsuite> per scenario, one <testcase> per step (and one named
// "setup" when the lab failed to boot). Command output ends up in here verbatim, so every
// piece of text goes through the escaping below.
import type { ScenarioResult } from '../scenario/runner.js';
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

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${attributeValue(String(value))}"`)
    .join('');
}

function text(value: string): string {
  return xmlSafe(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// Newlines and tabs are written as character references: a parser would otherwise turn them
// into spaces inside an attribute (attribute-value normalisation), flattening a message.
function attributeValue(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Terminal colour codes (kubectl, systemctl) would otherwise leave "[31m" behind. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ESC is the point.
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]/g;

/**
 * Removes what XML 1.0 forbids even as a character reference: control characters other than
 * tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
 */
function xmlSafe(value: string): string {
  let safe = '';
  // for...of walks code points, so a valid surrogate pair arrives as one character and a lone
  // surrogate arrives by itself.
  for (const char of value.replace(ANSI_ESCAPE, '')) {
    if (isXmlChar(char.codePointAt(0) ?? 0)) safe += char;
  }
  return safe;
}

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}
