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
        "git describe --dirty stamps the version); without --src, the overlay's pinned build. A " +
        'binary (multus thin) is copied to every VM atomically: the next pod uses it, nothing ' +
        'restarts. A daemon (multus thick) gets a new image in the lab registry and its DaemonSet ' +
        'is rolled out to that image by digest; the deploy ends when every node runs it. lab ' +
        'status shows what runs.',
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
          `(build ${(outcome.buildMs / 1000).toFixed(1)} s, ${outcome.kind === 'image' ? 'rollout' : 'copy'} ${(outcome.copyMs / 1000).toFixed(1)} s)`,
      );
    });
}
