// One results folder for a run of one or more scenarios: JUnit XML (CI), a JSON record
// (machines), and report.html (people), with the topology picture and, for a failed
// scenario, the tail of every log saved from its lab.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario/runner.js';
import type { LabPlan } from '../topology/plan.js';
import { topologySvg } from './graph.js';
import { htmlReport, type ReportLog } from './html.js';
import { toJUnitXml } from './junit.js';
import { summaryLine } from './summary.js';

export interface ScenarioRecord {
  result: ScenarioResult;
  /** The lab's plan (absent when the config itself was bad). */
  plan?: LabPlan;
  /** Where the lab's logs were saved on failure (see lifecycle/evidence.ts). */
  evidenceDir?: string;
}

const TAIL_LINES = 60;

/** The last lines of every log file saved for a failed scenario. */
export async function logTails(dir: string | undefined): Promise<ReportLog[]> {
  if (!dir) return [];
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.(log|txt)$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => {
      const lines = (await readFile(join(dir, name), 'utf8')).replaceAll('\r', '').trimEnd().split('\n');
      return { name, tail: lines.slice(-TAIL_LINES).join('\n') };
    }),
  );
}

/** What the whole run was: its title, its wall time and how many labs ran side by side. */
export interface RunInfo {
  title: string;
  wallMs: number;
  parallel: number;
  /** Set by lab report merge: how many runs (shards) the results come from. */
  shards?: number;
}

/** Writes junit.xml, results.json and report.html into `dir`; returns the report's path. */
export async function writeRunResults(dir: string, run: RunInfo, records: ScenarioRecord[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const results = records.map((r) => r.result);
  await writeFile(join(dir, 'junit.xml'), toJUnitXml(results));
  await writeFile(
    join(dir, 'results.json'),
    `${JSON.stringify({ ...run, host: hostname(), summary: summaryLine(results), scenarios: results }, null, 2)}\n`,
  );
  const scenarios = await Promise.all(
    records.map(async (record) => ({
      result: record.result,
      topologySvg: record.plan ? topologySvg(record.plan) : undefined,
      logs: record.result.status === 'failed' ? await logTails(record.evidenceDir) : [],
    })),
  );
  const report = join(dir, 'report.html');
  await writeFile(report, htmlReport({ ...run, generatedAt: new Date().toISOString(), scenarios }));
  return report;
}
