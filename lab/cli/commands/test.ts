// lab test NAME | lab test --suite nightly [--parallel N]
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { resolveLab } from '../../lifecycle/resolve.js';
import { type ScenarioRecord, writeRunResults } from '../../report/results.js';
import { formatStepLine, summaryLine } from '../../report/summary.js';
import type { Scenario } from '../../scenario/define.js';
import { executeScenario } from '../../scenario/execute.js';
import { listScenarioNames, loadScenario } from '../../scenario/load.js';
import { oversubscriptionWarning, suiteScenarios } from '../../scenario/suite.js';
import type { ConfigLayer } from '../../topology/config.js';
import { planLab } from '../../topology/plan.js';
import { UsageError } from '../../util/errors.js';
import { mapPool } from '../../util/pool.js';
import { createUi } from '../../util/ui.js';
import { configLayers, nameOption, parallelOption, type TopologyFlags, topologyOptions } from '../options.js';

interface RunFlags extends TopologyFlags {
  results: string;
  start?: boolean;
  keep?: boolean;
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
  ui.info(`scenario ${scenario.name}: ${scenario.description}`);
  const record = await executeScenario(scenario, {
    ui,
    layers,
    labName,
    resultsDir: resolve(flags.results),
    noStart: flags.start === false,
    keep: flags.keep === true,
    onStep: (step) =>
      console.log(prefix ? `${prefix} ${formatStepLine(step).trimStart()}` : formatStepLine(step)),
  });
  const { result } = record;
  if (result.setup?.failure)
    console.log(`${prefix ? `${prefix} ` : ''}setup failed: ${result.setup.failure.message}`);
  return record;
}

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
    .option('--suite <name>', 'run a suite: nightly = every scenario')
    .addOption(parallelOption())
    .option('--no-start', 'run against the running lab of --name instead of starting one (and leave it up)')
    .option('--keep', 'leave the lab running when the scenario fails')
    .option('--results <dir>', 'where reports and logs go', 'results');
  for (const option of topologyOptions()) test.addOption(option);
  test.action(async (name, flags) => {
    if (flags.list || (!name && !flags.suite)) {
      if (!name && !flags.list)
        throw new UsageError(
          'which scenario?',
          `scenarios: ${(await listScenarioNames()).join(', ')}; or --suite nightly`,
        );
      for (const scenario of await listScenarioNames())
        console.log(`${scenario.padEnd(14)} ${(await loadScenario(scenario)).description}`);
      return;
    }
    if (name && flags.suite) throw new UsageError('give a scenario or --suite, not both');
    if (flags.suite && flags.start === false)
      throw new UsageError(
        '--suite starts a lab per scenario; --no-start runs one scenario on a running lab',
      );
    const started = Date.now();
    const suite = flags.suite ? await suiteScenarios(flags.suite) : [];
    if (flags.suite) await warnOversubscription(suite, flags);
    const records = flags.suite
      ? await mapPool(suite, flags.parallel, (scenario) =>
          runScenario(scenario, scenario, flags, `[${scenario}]`),
        )
      : [await runScenario(name ?? '', flags.name, flags)];
    const results = records.map((r) => r.result);
    const title = flags.suite ? `lab suite ${flags.suite}` : `lab test ${name}`;
    const wallMs = Date.now() - started;
    const report = await writeRunResults(
      resolve(flags.results),
      { title, wallMs, parallel: flags.suite ? flags.parallel : 1 },
      records,
    );
    const accels = [...new Set(results.map((r) => r.accel))].join(', ');
    console.log(`accelerator: ${accels}; reports in ${resolve(flags.results)} (open ${report})`);
    if (flags.suite)
      console.log(`suite ${flags.suite}: ${results.length} scenario(s) in ${(wallMs / 1000).toFixed(0)} s`);
    console.log(summaryLine(results));
    if (results.some((r) => r.status !== 'passed')) process.exitCode = 1;
  });
}
