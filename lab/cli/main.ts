// The `lab` command: every verb, help text, and the one place errors become exit codes.
import { Command, CommanderError } from '@commander-js/extra-typings';
import { EXIT_FAILURE, EXIT_USAGE, LabError, writeLabError } from '../util/errors.js';
import { addAccessCommands } from './commands/access.js';
import { addCaptureCommand } from './commands/capture.js';
import { addDeployCommand } from './commands/deploy.js';
import { addGraphCommand } from './commands/graph.js';
import { addImageCommands, addImagesCommand } from './commands/images.js';
import { addLifecycleCommands } from './commands/lifecycle.js';
import { addListCommand } from './commands/list.js';
import { addLogsCommand } from './commands/logs.js';
import { addReportCommand } from './commands/report.js';
import { addSnapshotCommands } from './commands/snapshot.js';
import { addStatusCommand } from './commands/status.js';
import { addTestCommand } from './commands/test.js';
import { addToolCommands } from './commands/tools.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('lab')
    .description(
      'Container-networking labs: QEMU VMs with many NICs on per-lab bridges, scenarios that assert them.',
    )
    .version('0.1.0')
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  addLifecycleCommands(program);
  addStatusCommand(program);
  addListCommand(program);
  addLogsCommand(program);
  addDeployCommand(program);
  addReportCommand(program);
  addSnapshotCommands(program);
  addAccessCommands(program);
  addTestCommand(program);
  addImagesCommand(program);
  addImageCommands(program);
  addCaptureCommand(program);
  addToolCommands(program);
  addGraphCommand(program);
  for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
  return program;
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed the message (and help, for --help / --version).
    return err.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (err instanceof LabError) {
    writeLabError(err);
    return err.exitCode;
  }
  const error = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`lab: internal error: ${error.message}\n`);
  if (process.env.LAB_DEBUG) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('  (set LAB_DEBUG=1 for the stack trace, and please report it)\n');
  return EXIT_FAILURE;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return report(err);
  }
}
