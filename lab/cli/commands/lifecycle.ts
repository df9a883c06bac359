// lab start | stop | clean | env
import type { Command } from '@commander-js/extra-typings';
import { resolveLab } from '../../lifecycle/resolve.js';
import { startLab } from '../../lifecycle/start.js';
import { listLabs, processAlive, readState, removeLock, withLabLock } from '../../lifecycle/state.js';
import { teardown } from '../../lifecycle/teardown.js';
import { UsageError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import { configLayers, nameOption, topologyOptions, withLabName } from '../options.js';
import { printStatus } from './status.js';

export function addLifecycleCommands(program: Command): void {
  const start = program
    .command('start')
    .summary('build the image, create the lab network and boot the VMs')
    .description(
      'Boots a lab: VMs vm-001… with NICs on per-lab bridges inside the network namespace lab-<name>.\n' +
        'OVERLAYS name what the VMs run (default: multinet); their dependencies come along.\n' +
        'Precedence: defaults < overlay defaults < environment < --topology file < flags.',
    )
    .argument('[overlays...]', 'overlays to apply, e.g. multinet, cni')
    .addOption(nameOption())
    .option('--keep', 'keep what was created if the start fails (for debugging)')
    .option(
      '--boot-timeout <seconds>',
      'time for every VM to be ready (default 180, or what the overlays ask for)',
    );
  for (const option of topologyOptions()) start.addOption(option);
  start.action(async (overlays, flags) => {
    const ui = createUi();
    const { config, overlays: resolved } = await resolveLab(await configLayers(flags, overlays));
    const state = await startLab(config, resolved, {
      ui,
      keepOnFailure: flags.keep === true,
      bootTimeoutMs: flags.bootTimeout === undefined ? undefined : Number(flags.bootTimeout) * 1000,
    });
    ui.ok(`lab "${state.name}" running in ${((state.timings.totalMs ?? 0) / 1000).toFixed(1)} s`);
    await printStatus(state);
    const first = state.plan.nodes[0]?.name ?? 'vm-001';
    const suggestions = [
      `lab ssh ${first} ip -br addr`,
      ...resolved.flatMap((overlay) => overlay.manifest.tryNext),
      'lab stop',
    ];
    console.log(`\nnext: ${suggestions.map((c) => withLabName(c, state.name)).join('\n      ')}`);
  });

  program
    .command('stop')
    .summary('stop the lab: VMs, bridges, taps, namespace and state, all of it')
    .addOption(nameOption())
    .action(async (flags) => {
      const state = await readState(flags.name);
      if (!state)
        throw new UsageError(
          `no lab named "${flags.name}"`,
          `running labs: ${(await listLabs()).join(', ') || 'none'}`,
        );
      await withLabLock(flags.name, () => teardown(state, createUi()));
    });

  program
    .command('clean')
    .summary('remove what a lab left behind, even after a crash (default lab, or --all)')
    .addOption(nameOption())
    .option('--all', 'every lab this user has state for')
    .action(async (flags) => {
      const names = flags.all ? await listLabs() : [flags.name];
      const ui = createUi();
      for (const name of names) {
        const state = await readState(name);
        if (!state) {
          ui.info(`lab "${name}": nothing to clean`);
          continue;
        }
        // A start killed with -9 never releases its lock: do not wait for it to go stale.
        if (processAlive(state.ownerPid) && state.phase === 'starting')
          await withLabLock(name, () => teardown(state, ui));
        else {
          await teardown(state, ui);
          await removeLock(name);
        }
      }
    });

  const env = program
    .command('env')
    .summary('print the merged configuration (defaults, environment, topology file, flags) as JSON')
    .argument('[overlays...]')
    .addOption(nameOption());
  for (const option of topologyOptions()) env.addOption(option);
  env.action(async (overlays, flags) => {
    const { config } = await resolveLab(await configLayers(flags, overlays));
    console.log(JSON.stringify(config, null, 2));
  });
}
