// lab deploy NAME [--src PATH]: a developer's build into a running lab, no reboot.
import type { Command } from '@commander-js/extra-typings';
import { deployTo } from '../../deploy/deploy.js';
import { requireState } from '../../lifecycle/access.js';
import { createUi } from '../../util/ui.js';
import { nameOption } from '../options.js';

export function addDeployCommand(program: Command): void {
  program
    .command('deploy')
    .summary('rebuild a lab component (multus) from your checkout and put it on every node')
    .description(
      "Builds NAME from the Go checkout at --src (its go.mod must name the component's module; " +
        'git describe --dirty stamps the version) and copies the binary to every VM of the running ' +
        "lab, atomically; without --src, puts the overlay's pinned build back. multus is the thin " +
        'plugin: the next pod uses the new binary, nothing restarts. lab status shows what runs.',
    )
    .argument('<name>', "what to deploy (the lab's overlays declare it, e.g. multus)")
    .option('--src <path>', 'a checkout to build from (e.g. ~/src/multus-cni)')
    .addOption(nameOption())
    .action(async (name, flags) => {
      const state = await requireState(flags.name);
      const ui = createUi(process.stderr);
      const outcome = await deployTo(state, name, flags.src, (line) => ui.info(`  ${line}`));
      for (const node of outcome.nodes) ui.info(`  ${node}`);
      console.log(
        `deployed ${name} ${outcome.version} to ${outcome.nodes.length} VM(s) of lab "${state.name}" ` +
          `(build ${(outcome.buildMs / 1000).toFixed(1)} s, copy ${(outcome.copyMs / 1000).toFixed(1)} s)`,
      );
    });
}
