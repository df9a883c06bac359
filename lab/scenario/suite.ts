// Suites: which scenarios a suite runs, and whether running them side by side pays off here.
import { UsageError } from '../util/errors.js';
import { listScenarioNames } from './load.js';

/** Suites by name; `nightly` is every scenario, each in a lab of its own. */
export async function suiteScenarios(suite: string): Promise<string[]> {
  if (suite === 'nightly') return listScenarioNames();
  throw new UsageError(`unknown suite "${suite}"`, 'suites: nightly (every scenario)');
}

/**
 * A warning when `parallel` labs at once would need more vCPUs than the host has: VMs then take
 * CPU time from each other, boots and steps stretch, and the suite can end later than run one
 * lab at a time (measured on 2 cores: nightly 926 s and 1155 s sequential, 1139 s and 1382 s
 * with --parallel 2).
 */
export function oversubscriptionWarning(
  vcpusPerLab: readonly number[],
  parallel: number,
  hostCpus: number,
): string | undefined {
  if (parallel < 2) return undefined;
  const busiest = [...vcpusPerLab].sort((a, b) => b - a).slice(0, parallel);
  const needed = busiest.reduce((sum, n) => sum + n, 0);
  if (needed <= hostCpus) return undefined;
  return (
    `--parallel ${parallel}: up to ${needed} vCPUs at once on ${hostCpus} host CPU(s); the labs ` +
    'will slow each other down and the suite may take longer than with --parallel 1'
  );
}
