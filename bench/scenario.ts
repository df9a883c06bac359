// What each scenario step costs, from the results.json of `lab test` runs on a booted lab
// (issue: scenarios through one typed client):
//   npx tsx bench/scenario.ts BEFORE/results.json AFTER/results.json
// For every scenario in AFTER it prints each step's wall time before and after, and the
// Kubernetes API calls the step made after (the runner logs them per step; runs made before
// the typed client have no count: their scenarios started a kubectl process per call).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { API_CALLS_PREFIX } from '../lab/scenario/runner.js';

const Results = z.object({
  scenarios: z.array(
    z.object({
      scenario: z.string(),
      durationMs: z.number(),
      steps: z.array(
        z.object({
          name: z.string(),
          durationMs: z.number(),
          status: z.string(),
          output: z.array(z.string()),
        }),
      ),
    }),
  ),
});
type Run = z.infer<typeof Results>;

const [beforeFile, afterFile] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: npx tsx bench/scenario.ts BEFORE/results.json AFTER/results.json');
  process.exit(2);
}
const read = async (file: string): Promise<Run> => Results.parse(JSON.parse(await readFile(file, 'utf8')));
const [before, after] = [await read(beforeFile), await read(afterFile)];

const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
const calls = (output: string[]) => {
  const line = output.find((l) => l.startsWith(API_CALLS_PREFIX));
  return line ? Number(line.slice(API_CALLS_PREFIX.length)) : undefined;
};

for (const scenario of after.scenarios) {
  const old = before.scenarios.find((s) => s.scenario === scenario.scenario);
  console.log(`\n${scenario.scenario}: ${secs(old?.durationMs)} before, ${secs(scenario.durationMs)} after`);
  console.log(`${'before'.padStart(9)} ${'after'.padStart(9)} ${'API calls'.padStart(9)}  step`);
  let totalCalls = 0;
  for (const step of scenario.steps) {
    const was = old?.steps.find((s) => s.name === step.name);
    const n = calls(step.output);
    totalCalls += n ?? 0;
    console.log(
      `${secs(was?.durationMs).padStart(9)} ${secs(step.durationMs).padStart(9)} ${String(n ?? 0).padStart(9)}  ${step.status === 'passed' ? '' : `[${step.status}] `}${step.name}`,
    );
  }
  console.log(
    `${secs(old?.durationMs).padStart(9)} ${secs(scenario.durationMs).padStart(9)} ${String(totalCalls).padStart(9)}  total`,
  );
}
