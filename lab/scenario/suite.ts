// Suites: which scenarios a suite runs, and whether running them side by side pays off here.
import { resolveOverlays } from '../overlay/registry.js';
import { UsageError } from '../util/errors.js';
import { listScenarioNames, loadScenario } from './load.js';

export const SUITES = {
  nightly: 'every scenario',
  cni: 'the scenarios without Kubernetes (CNI plugins and multus in VMs: minutes, not hours)',
} as const;

/** Suites by name; each scenario runs in a lab of its own. */
export async function suiteScenarios(suite: string): Promise<string[]> {
  const names = await listScenarioNames();
  if (suite === 'nightly') return names;
  if (suite === 'cni') {
    const withoutK8s = await Promise.all(
      names.map(async (name) => {
        const overlays = await resolveOverlays((await loadScenario(name)).overlays);
        return overlays.some((o) => o.manifest.name === 'k8s') ? undefined : name;
      }),
    );
    return withoutK8s.filter((n): n is string => n !== undefined);
  }
  throw new UsageError(
    `unknown suite "${suite}"`,
    `suites: ${Object.entries(SUITES)
      .map(([n, what]) => `${n} (${what})`)
      .join(', ')}`,
  );
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
