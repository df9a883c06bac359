// lab test NAME | lab test --suite nightly [--parallel N]
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { buildFromCheckouts } from '../../artifacts/artifact.js';
import { resolveLab } from '../../lifecycle/resolve.js';
import { resolveCheckouts } from '../../overlay/checkouts.js';
import { type ScenarioRecord, writeRunResults } from '../../report/results.js';
import { formatStepLine, summaryLine } from '../../report/summary.js';
import type { Scenario } from '../../scenario/define.js';
import { executeScenario } from '../../scenario/execute.js';
import { listScenarioNames, loadScenario } from '../../scenario/load.js';
import { durationsFromResults, parseShard, shardScenarios, suiteWeights } from '../../scenario/shard.js';
import { oversubscriptionWarning, suiteScenarios } from '../../scenario/suite.js';
import type { ConfigLayer } from '../../topology/config.js';
import { planLab } from '../../topology/plan.js';
import { UsageError } from '../../util/errors.js';
import { mapPool } from '../../util/pool.js';
import { createUi } from '../../util/ui.js';
import {
  configLayers,
  nameOption,
  parallelOption,
  snapshotChoice,
  snapshotOptions,
  srcOption,
  type TopologyFlags,
  topologyOptions,
} from '../options.js';

interface RunFlags extends TopologyFlags {
  results: string;
  start?: boolean;
  keep?: boolean;
  snapshot?: boolean;
  fresh?: boolean;
  focus?: string;
  skip?: string;
  shard?: string;
  durations?: string;
  src: string[];
}

/** The scenario's lab config: its topology and overlays under the environment, file and flags. */
function scenarioLayers(scenario: Scenario, labName: string, flags: TopologyFlags): Promise<ConfigLayer[]> {
  return configLayers(
    { ...flags, name: labName },
    [],
    [{ ...scenario.topology, overlays: scenario.overlays }],
  );
}

/** Warns before a suite whose labs, `parallel` at a time, need more vCPUs than the host has. */
async function warnOversubscription(names: string[], flags: RunFlags & { parallel: number }): Promise<void> {
  const vcpus = await Promise.all(
    names.map(async (name) => {
      const { config } = await resolveLab(await scenarioLayers(await loadScenario(name), name, flags));
      return planLab(config).nodes.reduce((sum, node) => sum + node.smp, 0);
    }),
  );
  const warning = oversubscriptionWarning(vcpus, flags.parallel, availableParallelism());
  if (warning) createUi(process.stderr).warn(warning);
}

/** One scenario in the lab of `labName`; progress lines carry `prefix` when labs run side by side. */
async function runScenario(
  name: string,
  labName: string,
  flags: RunFlags,
  prefix = '',
): Promise<ScenarioRecord> {
  const scenario = await loadScenario(name);
  const ui = createUi(process.stderr, false, prefix);
  const layers = await scenarioLayers(scenario, labName, flags);
  // Checked against this scenario's lab before it boots: a checkout it builds nothing from is an error.
  if (flags.src.length > 0)
    buildFromCheckouts(resolveCheckouts(flags.src, (await resolveLab(layers)).overlays));
  ui.info(`scenario ${scenario.name}: ${scenario.description}`);
  const record = await executeScenario(scenario, {
    ui,
    layers,
    labName,
    resultsDir: resolve(flags.results),
    noStart: flags.start === false,
    keep: flags.keep === true,
    snapshot: snapshotChoice(flags),
    params: { focus: flags.focus, skip: flags.skip },
    onStep: (step) =>
      console.log(prefix ? `${prefix} ${formatStepLine(step).trimStart()}` : formatStepLine(step)),
  });
  const { result } = record;
  if (result.setup?.failure)
    console.log(`${prefix ? `${prefix} ` : ''}setup failed: ${result.setup.failure.message}`);
  return record;
}

/** The suite's scenarios this job runs: all of them, or those of its --shard. */
async function selectShard(names: string[], flags: RunFlags): Promise<string[]> {
  if (!flags.shard) {
    if (flags.durations) throw new UsageError('--durations goes with --shard');
    return names;
  }
  const shard = parseShard(flags.shard);
  const measured = flags.durations
    ? durationsFromResults(
        await readFile(flags.durations, 'utf8').catch((err: Error) => {
          throw new UsageError(`--durations ${flags.durations}: ${err.message}`);
        }),
        flags.durations,
      )
    : {};
  const own = new Map(
    await Promise.all(names.map(async (n) => [n, (await loadScenario(n)).weight ?? 1] as const)),
  );
  const mine = shardScenarios(
    suiteWeights(names, (n) => own.get(n) ?? 1, measured),
    shard,
  );
  createUi(process.stderr).info(`shard ${shard.index}/${shard.count}: ${mine.join(', ') || 'no scenario'}`);
  return mine;
}

const isRegExp = (text: string) => {
  try {
    new RegExp(text);
    return true;
  } catch {
    return false;
  }
};

export function addTestCommand(program: Command): void {
  const test = program
    .command('test')
    .summary('run a scenario (or a suite): boot its lab, run its steps, write reports, stop the lab')
    .description(
      'Runs scenarios/<name>.ts, or with --suite every scenario of a suite, each in a lab of its own ' +
        '(named after the scenario). Writes into --results: junit.xml, results.json and report.html ' +
        '(steps, timings, topology picture, log tails of failures), plus junit-<scenario>.xml. ' +
        'Ends with a line "N passed, N failed" and exits non-zero on any failure. On failure the ' +
        'serial log and guest logs (units, multus, CNI results) of every VM are saved under ' +
        '<results>/logs/<scenario>/.',
    )
    .argument('[scenario]', 'scenario name (see --list)')
    .addOption(nameOption())
    .option('--list', 'list the scenarios')
    .option('--suite <name>', 'run a suite: nightly = every scenario, cni = those without Kubernetes')
    .addOption(parallelOption())
    .option('--no-start', 'run against the running lab of --name instead of starting one (and leave it up)')
    .option('--keep', 'leave the lab running when the scenario fails')
    .addOption(snapshotOptions()[0])
    .addOption(snapshotOptions()[1])
    .option('--results <dir>', 'where reports and logs go', 'results')
    .option(
      '--focus <regex>',
      'scenarios that run another test runner (k8s-conformance-network): only its tests whose names match',
    )
    .option('--skip <regex>', 'and never those whose names match')
    .option('--shard <i/n>', 'with --suite: run only shard I of N (a CI matrix job each)')
    .option(
      '--durations <results.json>',
      "with --shard: balance the shards by an earlier run's measured times",
    )
    .addOption(srcOption());
  for (const option of topologyOptions()) test.addOption(option);
  test.action(async (name, flags) => {
    if (flags.list || (!name && !flags.suite)) {
      if (!name && !flags.list)
        throw new UsageError(
          'which scenario?',
          `scenarios: ${(await listScenarioNames()).join(', ')}; or --suite nightly`,
        );
      const names = await listScenarioNames();
      const width = Math.max(...names.map((n) => n.length));
      for (const scenario of names)
        console.log(`${scenario.padEnd(width)}  ${(await loadScenario(scenario)).description}`);
      return;
    }
    if (name && flags.suite) throw new UsageError('give a scenario or --suite, not both');
    if (flags.shard && !flags.suite) throw new UsageError('--shard splits a suite: give --suite too');
    for (const [option, value] of [
      ['--focus', flags.focus],
      ['--skip', flags.skip],
    ] as const)
      if (value !== undefined && !isRegExp(value))
        throw new UsageError(`${option} ${value}: not a regular expression`, 'e.g. --focus "DNS|Services"');
    if (flags.src.length > 0 && (flags.suite || flags.start === false))
      throw new UsageError(
        '--src builds the lab of one scenario from your checkout',
        flags.suite
          ? 'give one scenario instead of --suite'
          : 'drop --no-start (a running lab keeps its builds; lab deploy --src changes one)',
      );
    if (flags.suite && flags.start === false)
      throw new UsageError(
        '--suite starts a lab per scenario; --no-start runs one scenario on a running lab',
      );
    const started = Date.now();
    const suite = flags.suite ? await selectShard(await suiteScenarios(flags.suite), flags) : [];
    if (flags.suite) await warnOversubscription(suite, flags);
    const records = flags.suite
      ? await mapPool(suite, flags.parallel, (scenario) =>
          runScenario(scenario, scenario, flags, `[${scenario}]`),
        )
      : [await runScenario(name ?? '', flags.name, flags)];
    const results = records.map((r) => r.result);
    const title = flags.suite
      ? `lab suite ${flags.suite}${flags.shard ? ` (shard ${flags.shard})` : ''}`
      : `lab test ${name}`;
    const wallMs = Date.now() - started;
    const report = await writeRunResults(
      resolve(flags.results),
      { title, wallMs, parallel: flags.suite ? flags.parallel : 1 },
      records,
    );
    const accels = [...new Set(results.map((r) => r.accel))].join(', ') || 'none (no scenario ran)';
    console.log(`accelerator: ${accels}; reports in ${resolve(flags.results)} (open ${report})`);
    if (flags.suite)
      console.log(`suite ${flags.suite}: ${results.length} scenario(s) in ${(wallMs / 1000).toFixed(0)} s`);
    console.log(summaryLine(results));
    if (results.some((r) => r.status !== 'passed')) process.exitCode = 1;
  });
}
