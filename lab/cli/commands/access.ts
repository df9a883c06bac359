// lab ssh | console
import { connect } from 'node:net';
import type { Command } from '@commander-js/extra-typings';
import { requireState, sshTarget } from '../../lifecycle/access.js';
import { LabError } from '../../util/errors.js';
import { vmPaths } from '../../vm/qemu-args.js';
import { SshSession } from '../../vm/ssh.js';
import { nameOption } from '../options.js';

/** Ctrl-] leaves the console, as in telnet. */
const CONSOLE_ESCAPE = 0x1d;

async function attachConsole(socketPath: string, vm: string): Promise<void> {
  const socket = connect(socketPath);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) =>
      reject(
        new LabError(
          `cannot attach to the console of ${vm}: ${err.message}`,
          'is the VM running? see lab status',
        ),
      ),
    );
  });
  process.stderr.write(`attached to ${vm}'s serial console; leave with Ctrl-]\n`);
  const stdin = process.stdin;
  if (stdin.isTTY) stdin.setRawMode(true);
  socket.write('\n'); // show a prompt
  await new Promise<void>((resolve) => {
    const done = () => {
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      socket.destroy();
      resolve();
    };
    stdin.on('data', (chunk: Buffer) => (chunk.includes(CONSOLE_ESCAPE) ? done() : socket.write(chunk)));
    stdin.on('end', done);
    socket.on('data', (chunk) => process.stdout.write(chunk));
    socket.on('close', done);
  });
  process.stderr.write('\ndetached\n');
}

export function addAccessCommands(program: Command): void {
  program
    .command('ssh')
    .summary('run a command on a VM (or open a shell), through the lab namespace')
    .argument('<vm>', 'e.g. vm-001')
    .argument('[command...]', 'command and arguments; none opens an interactive shell')
    .addOption(nameOption())
    .passThroughOptions()
    .action(async (vm, command, flags) => {
      const session = await SshSession.open(await sshTarget(await requireState(flags.name), vm), {
        timeoutMs: 15_000,
      });
      try {
        if (command.length === 0) {
          process.exitCode = await session.shell();
          return;
        }
        const result = await session.exec(command.join(' '));
        process.stdout.write(result.stdout);
        process.stderr.write(result.stderr);
        process.exitCode = result.code;
      } finally {
        session.close();
      }
    });

  program
    .command('console')
    .summary("attach to a VM's serial console (leave with Ctrl-])")
    .argument('<vm>', 'e.g. vm-001')
    .addOption(nameOption())
    .action(async (vm, flags) => {
      const state = await requireState(flags.name);
      const entry = state.vms.find((v) => v.name === vm);
      if (!entry) throw new LabError(`lab "${state.name}" has no VM "${vm}"`);
      await attachConsole(vmPaths(entry.dir).console, vm);
    });
}
