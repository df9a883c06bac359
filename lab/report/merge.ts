// lab report merge: the results folders of several runs (CI shards) as one run's reports, every
// scenario once, each saying where it ran. What a merge cannot trust is a clear error naming
// the folder: a missing or malformed results.json, a scenario in two folders.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ScenarioResult } from '../scenario/runner.js';
import { UsageError } from '../util/errors.js';
import { type ScenarioRecord, writeRunResults } from './results.js';
import { summaryLine } from './summary.js';

const stepSchema = z.looseObject({ name: z.string(), status: z.enum(['passed', 'failed', 'skipped']) });
const runSchema = z.object({
  title: z.string(),
  wallMs: z.number().nonnegative(),
  host: z.string().optional(),
  scenarios: z.array(
    z.looseObject({
      scenario: z.string(),
      status: z.enum(['passed', 'failed']),
      steps: z.array(stepSchema),
    }),
  ),
});

async function readRun(dir: string): Promise<z.infer<typeof runSchema>> {
  const file = join(dir, 'results.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${dir}: no results.json`, 'give the --results folders of lab test runs');
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not JSON`);
  }
  const parsed = runSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${file}: not a lab results.json (${issue?.path.join('.') || 'top level'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}

export interface MergeResult {
  report: string;
  summary: string;
  failed: boolean;
}

export async function mergeRuns(dirs: string[], out: string): Promise<MergeResult> {
  if (dirs.length === 0) throw new UsageError('which results folders?', 'lab report merge DIR... -o OUT');
  const runs = await Promise.all(dirs.map(async (dir) => ({ dir, run: await readRun(dir) })));
  const seen = new Map<string, string>();
  const records: ScenarioRecord[] = [];
  for (const { dir, run } of runs)
    for (const scenario of run.scenarios) {
      const earlier = seen.get(scenario.scenario);
      if (earlier)
        throw new UsageError(
          `scenario ${scenario.scenario} is in ${earlier} and in ${dir}`,
          'merge the folders of one suite run, each shard once',
        );
      seen.set(scenario.scenario, dir);
      const result = scenario as unknown as ScenarioResult;
      result.ranIn = `${run.title}${run.host ? ` on ${run.host}` : ''} (${dir})`;
      records.push({ result, evidenceDir: join(dir, 'logs', scenario.scenario) });
    }
  const base = runs[0]?.run.title.replace(/ \(shard \d+\/\d+\)$/, '') ?? 'lab';
  const report = await writeRunResults(
    out,
    {
      title: `${base} (${runs.length} run${runs.length === 1 ? '' : 's'} merged)`,
      wallMs: Math.max(...runs.map(({ run }) => run.wallMs)),
      parallel: 1,
      shards: runs.length,
    },
    records,
  );
  const results = records.map((r) => r.result);
  return { report, summary: summaryLine(results), failed: results.some((r) => r.status === 'failed') };
}
