// lab test NAME
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { formatStepLine, summaryLine } from '../../report/summary.js';
import { executeScenario } from '../../scenario/execute.js';
import { listScenarioNames, loadScenario } from '../../scenario/load.js';
import { UsageError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import { configLayers, nameOption, topologyOptions } from '../options.js';

export function addTestCommand(program: Command): void {
  const test = program
    .command('test')
    .summary('run a scenario: boot its lab, run its steps, write JUnit XML, stop the lab')
    .description(
      'Runs scenarios/<name>.ts. Ends with a line "N passed, N failed" and exits non-zero on any failure.\n' +
        'On failure the serial log of every VM is saved under <results>/logs/<scenario>/.',
    )
    .argument('[scenario]', 'scenario name (see --list)')
    .addOption(nameOption())
    .option('--list', 'list the scenarios')
    .option('--no-start', 'run against the running lab of --name instead of starting one (and leave it up)')
    .option('--keep', 'leave the lab running when the scenario fails')
    .option('--results <dir>', 'where JUnit XML, JSON and logs go', 'results');
  for (const option of topologyOptions()) test.addOption(option);
  test.action(async (name, flags) => {
    if (flags.list || !name) {
      if (!name && !flags.list)
        throw new UsageError('which scenario?', `scenarios: ${(await listScenarioNames()).join(', ')}`);
      for (const scenario of await listScenarioNames())
        console.log(`${scenario.padEnd(14)} ${(await loadScenario(scenario)).description}`);
      return;
    }
    const scenario = await loadScenario(name);
    const ui = createUi();
    const layers = await configLayers(flags, [], [{ ...scenario.topology, overlays: scenario.overlays }]);
    ui.info(`scenario ${scenario.name}: ${scenario.description}`);
    const result = await executeScenario(scenario, {
      ui,
      layers,
      labName: flags.name,
      resultsDir: resolve(flags.results),
      noStart: flags.start === false,
      keep: flags.keep === true,
      onStep: (step) => console.log(formatStepLine(step)),
    });
    if (result.setup?.failure) console.log(`setup failed: ${result.setup.failure.message}`);
    console.log(`accelerator: ${result.accel}; reports in ${resolve(flags.results)}`);
    console.log(summaryLine([result]));
    if (result.status !== 'passed') process.exitCode = 1;
  });
}
