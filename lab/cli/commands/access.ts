// lab ssh | kubectl | console
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Command } from '@commander-js/extra-typings';
import { execa } from 'execa';
import { hostKubectl, writeHostKubeconfig } from '../../cluster/host-access.js';
import { requireState, sshTarget } from '../../lifecycle/access.js';
import type { LabState } from '../../lifecycle/state.js';
import { LabError } from '../../util/errors.js';
import { shellQuote } from '../../util/shell-quote.js';
import { vmPaths } from '../../vm/qemu-args.js';
import { SshSession, sshExec } from '../../vm/ssh.js';
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

async function requireKubernetes(name: string): Promise<LabState> {
  const state = await requireState(name);
  if (!state.overlays.includes('k8s'))
    throw new LabError(`lab "${state.name}" runs no Kubernetes`, 'start one with: lab start xcluster-cni');
  return state;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
    .command('kubeconfig')
    .summary("a kubeconfig for the lab's admin that works from the host (labs with the k8s overlay)")
    .description(
      'Prints the kubeconfig (or, with --path, writes it into the lab dir and prints its path). ' +
        "It dials the API server through the lab's host forward on 127.0.0.1, so it works only " +
        'while the lab runs:\n  export KUBECONFIG=$(lab kubeconfig --path)',
    )
    .addOption(nameOption())
    .option('--path', 'write it to <lab dir>/kubeconfig (mode 600) and print the path')
    .action(async (flags) => {
      const state = await requireKubernetes(flags.name);
      const path = await writeHostKubeconfig(state);
      process.stdout.write(flags.path ? `${path}\n` : await readFile(path, 'utf8'));
    });

  program
    .command('kubectl')
    .summary("run kubectl as the lab's admin (labs with the k8s overlay)")
    .description(
      "Runs the lab's own kubectl on the host through the API server forward; when that is not " +
        'available, runs it on vm-001 over SSH. Arguments pass through as they are, and stdin ' +
        'too when it is not a terminal: lab kubectl apply -f - < pod.yaml',
    )
    .argument('[args...]', 'kubectl arguments, e.g. get nodes -o wide')
    .addOption(nameOption())
    .passThroughOptions()
    .allowUnknownOption()
    .action(async (args, flags) => {
      const state = await requireKubernetes(flags.name);
      const host = await hostKubectl(state);
      if (host) {
        const result = await execa(host.kubectl, ['--kubeconfig', host.config, ...args], {
          stdio: 'inherit',
          reject: false,
        });
        process.exitCode = result.exitCode ?? 1;
        return;
      }
      const control = state.plan.nodes[0]?.name ?? 'vm-001';
      const input = process.stdin.isTTY ? undefined : await readStdin();
      const command = ['kubectl', '--kubeconfig', '/etc/kubernetes/admin.kubeconfig', ...args]
        .map(shellQuote)
        .join(' ');
      const result = await sshExec(await sshTarget(state, control), command, { timeoutMs: 600_000, input });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      process.exitCode = result.code;
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
