// lab logs: a running lab's logs, on demand, in one folder.
import { resolve } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { requireState } from '../../lifecycle/access.js';
import { checkEmptyDir, exportLabLogs } from '../../lifecycle/logs.js';
import { UsageError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import { nameOption } from '../options.js';

export function addLogsCommand(program: Command): void {
  program
    .command('logs')
    .summary("collect a lab's logs into one folder (serial consoles, unit logs, CNI results, cluster events)")
    .description(
      "Everything a failed lab test report collects, for a lab that runs: each VM's serial console " +
        "and guest events, the guest's unit logs (/var/log/lab: kubelet, containerd, etcd, …), multus's " +
        "log, containerd's cached CNI results and, for a Kubernetes lab, nodes, pods (described), " +
        'events, NADs and DaemonSets. A VM that cannot be reached is noted in index.txt, not fatal.',
    )
    .addOption(nameOption())
    .option('-o, --output <dir>', 'the folder to write (must be empty or new); default lab-logs-<name>')
    .action(async (flags) => {
      const state = await requireState(flags.name);
      const dir = resolve(flags.output ?? `lab-logs-${state.name}`);
      if (!(await checkEmptyDir(dir)))
        throw new UsageError(`--output ${dir} is not empty`, 'give a new or empty folder with -o');
      const ui = createUi(process.stderr);
      const done = await exportLabLogs(state, dir, (line) => ui.info(`  ${line}`));
      console.log(`logs of lab "${state.name}" in ${done.dir} (index.txt lists them)`);
    });
}
