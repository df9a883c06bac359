// lab graph: draws a lab's topology as SVG. Planning is pure, so this needs no root and touches
// no network: it resolves the config like `lab start` does and stops before starting anything.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { resolveLab } from '../../lifecycle/resolve.js';
import { readState } from '../../lifecycle/state.js';
import { topologySummary, topologySvg } from '../../report/graph.js';
import { type LabPlan, planLab } from '../../topology/plan.js';
import { configLayers, nameOption, type TopologyFlags, topologyOptions } from '../options.js';

/** The flags that shape a plan; any of them means "draw this config", not "draw the running lab". */
const PLAN_FLAGS = ['nvm', 'netsVm', 'mem', 'smp', 'accel', 'topology'] as const;

export const STDOUT = '-';
export const DEFAULT_GRAPH_FILE = 'topology.svg';

export interface GraphSource {
  plan: LabPlan;
  /** For the closing message: where the plan came from. */
  from: string;
}

/**
 * The running lab's recorded plan when the user named only a lab, so the picture shows what is
 * really up; otherwise the plan `lab start` would make from the same overlays and flags.
 */
export async function graphSource(overlays: string[], flags: TopologyFlags): Promise<GraphSource> {
  const shapesPlan = overlays.length > 0 || PLAN_FLAGS.some((flag) => flags[flag] !== undefined);
  if (!shapesPlan) {
    const state = await readState(flags.name);
    if (state) return { plan: state.plan, from: `the recorded plan of lab "${state.name}" (${state.phase})` };
  }
  const { config } = await resolveLab(await configLayers(flags, overlays));
  return { plan: planLab(config), from: 'the configuration (nothing was started)' };
}

/** Stdout when it is piped or redirected, a file when it is a terminal nobody wants SVG on. */
export function graphTarget(output: string | undefined, stdoutIsTty: boolean): string {
  return output ?? (stdoutIsTty ? DEFAULT_GRAPH_FILE : STDOUT);
}

export function addGraphCommand(program: Command): void {
  const graph = program
    .command('graph')
    .summary('draw the lab topology as SVG: VMs, NICs with MACs and addresses, nets (starts nothing)')
    .description(
      'Draws the VMs, their NICs (name, MAC, IPv4, IPv6) and the nets they are on as an SVG picture. ' +
        'Starts nothing: no root, no network changes.\n\n' +
        'With no overlays and no topology flags, a lab of --name that has state is drawn from its recorded plan. ' +
        'Otherwise the config is resolved as `lab start` resolves it (same overlays, environment, ' +
        '--topology file and flags) and planned.',
    )
    .argument('[overlays...]', 'overlays, as for lab start: their manifests may set topology defaults')
    .addOption(nameOption())
    .option(
      '-o, --output <file>',
      `where the SVG goes, "${STDOUT}" for stdout (default: stdout when it is not a terminal, else ${DEFAULT_GRAPH_FILE})`,
    );
  for (const option of topologyOptions()) graph.addOption(option);
  graph.action(async (overlays, flags) => {
    const { plan, from } = await graphSource(overlays, flags);
    const svg = topologySvg(plan);
    const target = graphTarget(flags.output, process.stdout.isTTY === true);
    const what = `lab "${plan.name}" (${topologySummary(plan)}) from ${from}`;
    if (target === STDOUT) {
      process.stdout.write(svg);
      // Stdout holds the SVG alone, so it can be piped; the note goes to stderr.
      process.stderr.write(`lab graph: wrote ${what} to stdout\n`);
      return;
    }
    await writeFile(target, svg);
    console.log(`wrote ${resolve(target)}: ${what}`);
  });
}
