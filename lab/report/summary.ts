// One-line progress and totals for the terminal. The JUnit report counts through the same
// reportedCases, so the terminal and CI never disagree on the numbers.
import type { ScenarioResult, StepResult } from '../scenario/runner.js';

/** A step, or the setup of a lab that failed to boot: one JUnit test case, one progress line. */
export type ReportedCase = Pick<StepResult, 'name' | 'status' | 'durationMs' | 'failure'> & {
  output?: string[];
};

/**
 * The steps, preceded by the setup when booting failed: a boot failure must count as a failure,
 * or a lab that never came up would report "0 passed, 0 failed".
 */
export function reportedCases(result: ScenarioResult): ReportedCase[] {
  return result.setup?.status === 'failed' ? [result.setup, ...result.steps] : result.steps;
}

export interface CaseCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countCases(cases: readonly ReportedCase[]): CaseCounts {
  const counts: CaseCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const c of cases) counts[c.status]++;
  return counts;
}

/** "7 passed, 1 failed, 2 skipped"; the skipped part only when something was skipped. */
export function summaryLine(results: readonly ScenarioResult[]): string {
  const { passed, failed, skipped } = countCases(results.flatMap(reportedCases));
  const parts = [`${passed} passed`, `${failed} failed`];
  if (skipped > 0) parts.push(`${skipped} skipped`);
  return parts.join(', ');
}

const STATUS_MARK = { passed: '✓', failed: '✗', skipped: '-' } as const;

/** "  ✓ every VM has its NICs (2.1 s)"; a failure adds the first line of its message. */
export function formatStepLine(result: ReportedCase): string {
  const head = `  ${STATUS_MARK[result.status]} ${result.name}`;
  if (result.status === 'skipped') return `${head} (skipped)`;
  const line = `${head} (${formatDuration(result.durationMs)})`;
  const reason = result.failure?.message.split('\n', 1)[0];
  return result.status === 'failed' && reason ? `${line}: ${reason}` : line;
}

/** "2.1 s": how the terminal and the HTML report show a duration. */
export function formatDuration(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
