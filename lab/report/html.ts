// One self-contained HTML page for people: the same counts as the terminal and the JUnit XML
// (through summary.ts), a timeline of steps per scenario, the lab's topology picture, and the
// serial-log tails of a failed scenario. Inline CSS only: the page must open from a CI artifact
// with no network and no scripts.
import type { ScenarioResult } from '../scenario/runner.js';
import { attributes, escapeMarkup } from './markup.js';
import { formatDuration, formatStepLine, type ReportedCase, reportedCases, summaryLine } from './summary.js';

export interface ReportLog {
  name: string;
  tail: string;
}

export interface ReportScenario {
  result: ScenarioResult;
  /** Markup from topologySvg, inlined as is: it is generated, never user text. */
  topologySvg?: string;
  /** Shown only when the scenario failed: that is when someone reads them. */
  logs?: ReportLog[];
}

export interface HtmlReportInput {
  title: string;
  generatedAt: string;
  /** The run's wall time and labs side by side (absent: not shown). */
  wallMs?: number;
  parallel?: number;
  /** Merged from this many runs (CI shards); the wall time is then the longest one's. */
  shards?: number;
  scenarios: ReportScenario[];
}

const STATUS_WORD = { passed: 'PASSED', failed: 'FAILED', skipped: 'SKIPPED' } as const;

export function htmlReport(input: HtmlReportInput): string {
  const results = input.scenarios.map((s) => s.result);
  const failed = results.some((r) => r.status === 'failed');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    // Void elements are self-closed: the page is well-formed XML as well, so tests can parse it strictly.
    '<meta charset="utf-8"/>',
    '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
    `<title>${escapeMarkup(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header${attributes({ class: failed ? 'failed' : 'passed' })}>`,
    `<h1>${escapeMarkup(input.title)}</h1>`,
    `<p class="summary">${escapeMarkup(summaryLine(results))}</p>`,
    input.wallMs === undefined
      ? ''
      : `<p class="wall">${escapeMarkup(wallLine(results.length, input.wallMs, input.parallel, input.shards))}</p>`,
    `<p class="generated">generated <time${attributes({ datetime: input.generatedAt })}>${escapeMarkup(input.generatedAt)}</time></p>`,
    contents(results),
    '</header>',
    '<main>',
    ...input.scenarios.map(scenarioSection),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** "4 scenarios in 926.0 s, one lab at a time" */
function wallLine(scenarios: number, wallMs: number, parallel = 1, shards = 1): string {
  const labs =
    shards > 1
      ? `merged from ${shards} shards run side by side (the longest shard's wall time)`
      : parallel > 1
        ? `up to ${parallel} labs at a time`
        : 'one lab at a time';
  return `${scenarios} scenario${scenarios === 1 ? '' : 's'} in ${formatDuration(wallMs)}, ${labs}`;
}

/** Links to every scenario, so a long report opens on what failed. */
function contents(results: ScenarioResult[]): string {
  if (results.length < 2) return '';
  const items = results.map(
    (r) =>
      `<li${attributes({ class: r.status })}><a${attributes({ href: `#${sectionId(r)}` })}>${escapeMarkup(r.scenario)}</a> ${STATUS_WORD[r.status]}</li>`,
  );
  return ['<nav><ul>', ...items, '</ul></nav>'].join('\n');
}

function sectionId(result: ScenarioResult): string {
  return `scenario-${result.scenario}`;
}

function scenarioSection({ result, topologySvg, logs }: ReportScenario): string {
  return [
    `<section${attributes({ id: sectionId(result), class: `scenario ${result.status}`, 'data-status': result.status })}>`,
    `<h2><span class="status">${STATUS_WORD[result.status]}</span> ${escapeMarkup(result.scenario)}</h2>`,
    `<p class="description">${escapeMarkup(result.description)}</p>`,
    facts(result),
    timeline(reportedCases(result)),
    topologySvg ? topologyFigure(result.lab, topologySvg) : '',
    result.status === 'failed' && logs?.length ? logTails(logs) : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function facts(result: ScenarioResult): string {
  const rows: [string, string][] = [
    ['result', summaryLine([result])],
    ['accelerator', result.accel],
    ['lab', result.lab],
    ['started', result.startedAt],
  ];
  if (result.ranIn) rows.push(['ran in', result.ranIn]);
  for (const build of result.builds ?? []) rows.push(['build', build]);
  // A failed setup is a row of the timeline; a passed one (lab start) is a fact beside the steps.
  if (result.setup?.status === 'passed')
    rows.push(
      [
        'lab start',
        `${formatDuration(result.setup.durationMs)}, ${result.setup.restoredFrom ? `restored from snapshot ${result.setup.restoredFrom}` : 'cold boot'}`,
      ],
      ['steps', formatDuration(result.durationMs)],
    );
  else rows.push(['duration', formatDuration(result.durationMs)]);
  const items = rows.map(([name, value]) => `<dt>${name}</dt><dd>${escapeMarkup(value)}</dd>`);
  return ['<dl class="facts">', ...items, '</dl>'].join('\n');
}

/** One row per case; bar lengths are relative to the scenario's longest case. */
function timeline(cases: ReportedCase[]): string {
  const longest = Math.max(0, ...cases.map((c) => c.durationMs));
  return ['<ol class="timeline">', ...cases.map((c) => stepRow(c, longest)), '</ol>'].join('\n');
}

function stepRow(step: ReportedCase, longest: number): string {
  const share = longest > 0 ? Math.max(0, step.durationMs) / longest : 0;
  const output = step.output ?? [];
  return [
    // The tooltip is the very line the terminal printed for this step.
    `<li${attributes({ class: `step ${step.status}`, 'data-status': step.status, title: formatStepLine(step).trim() })}>`,
    `<span class="name">${escapeMarkup(step.name)}</span>`,
    `<span class="track"><span class="bar"${attributes({ style: `width: ${(share * 100).toFixed(1)}%` })}></span></span>`,
    `<span class="duration">${step.status === 'skipped' ? '–' : formatDuration(step.durationMs)}</span>`,
    `<span class="status">${STATUS_WORD[step.status]}</span>`,
    step.status === 'failed'
      ? `<pre class="failure">${escapeMarkup(step.failure?.message ?? 'failed')}</pre>`
      : '',
    output.length > 0 ? details(`output (${output.length} lines)`, output.join('\n'), 'output') : '',
    '</li>',
  ]
    .filter(Boolean)
    .join('\n');
}

function topologyFigure(lab: string, svg: string): string {
  // An XML declaration is fine in an .svg file but not in the middle of an HTML page.
  const inline = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trim();
  return [
    '<figure class="topology">',
    inline,
    `<figcaption>topology of lab ${escapeMarkup(lab)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

function logTails(logs: ReportLog[]): string {
  return [
    '<div class="logs">',
    '<h3>logs</h3>',
    ...logs.map((log) => details(log.name, log.tail, 'log')),
    '</div>',
  ].join('\n');
}

function details(summary: string, body: string, kind: string): string {
  return `<details${attributes({ class: kind })}><summary>${escapeMarkup(summary)}</summary><pre>${escapeMarkup(body)}</pre></details>`;
}

const STYLE = `
:root { --pass: #1a7f37; --fail: #cf222e; --skip: #6e7781; --ink: #1f2328; --line: #d0d7de; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; color: var(--ink);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { border-bottom: 4px solid var(--pass); margin-bottom: 1.5rem; }
header.failed { border-bottom-color: var(--fail); }
h1 { margin: 0.5rem 0 0.25rem; font-size: 1.6rem; }
.summary { font-size: 1.25rem; font-weight: 600; margin: 0.25rem 0; }
.wall { margin: 0; }
.generated { color: var(--skip); margin: 0 0 0.75rem; }
nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
nav li.failed, section.failed > h2 .status, .step.failed .status { color: var(--fail); }
nav li.passed, section.passed > h2 .status, .step.passed .status { color: var(--pass); }
.step.skipped .status, .step.skipped .name { color: var(--skip); }
section.scenario { border: 1px solid var(--line); border-left: 6px solid var(--pass);
  border-radius: 6px; padding: 0.75rem 1.25rem 1rem; margin: 0 0 1.5rem; }
section.scenario.failed { border-left-color: var(--fail); }
h2 { margin: 0.25rem 0; font-size: 1.3rem; }
h2 .status { font-size: 0.8rem; letter-spacing: 0.05em; vertical-align: middle; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; margin: 0.5rem 0 1rem; }
.facts dt { color: var(--skip); }
.facts dd { margin: 0; }
.timeline { list-style: none; padding: 0; margin: 0 0 1rem; }
.step { display: grid; grid-template-columns: minmax(12rem, 2fr) 3fr 5rem 5.5rem; align-items: center;
  gap: 0.25rem 0.75rem; padding: 0.3rem 0; border-top: 1px solid var(--line); }
.step .track { background: #f6f8fa; height: 0.8rem; border-radius: 3px; }
.step .bar { display: block; height: 100%; border-radius: 3px; background: var(--pass); }
.step.failed .bar { background: var(--fail); }
.step .duration { text-align: right; font-variant-numeric: tabular-nums; }
.step .status { font-weight: 700; font-size: 0.8rem; letter-spacing: 0.05em; }
.step pre, .step details { grid-column: 1 / -1; }
pre { margin: 0.25rem 0; padding: 0.5rem 0.75rem; background: #f6f8fa; border-radius: 4px;
  overflow-x: auto; white-space: pre-wrap; word-break: break-word; font-size: 0.85rem; }
pre.failure { background: #ffebe9; border-left: 3px solid var(--fail); }
figure.topology { margin: 1rem 0; overflow-x: auto; }
figure.topology figcaption { color: var(--skip); font-size: 0.85rem; }
.logs details { margin: 0.25rem 0; }
summary { cursor: pointer; font-weight: 600; }
`;
