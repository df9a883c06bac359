// lab capture: a pcap of a VM's NIC (its tap) or of a whole net (its bridge), taken inside
// the lab's namespace, as xcluster's `xc tcpdump`.
import { resolve } from 'node:path';
import { type Command, Option } from '@commander-js/extra-typings';
import { captureTarget, runCapture, tcpdumpArgv } from '../../hostnet/capture.js';
import { requireState } from '../../lifecycle/access.js';
import { parseIntStrict } from '../../topology/config.js';
import { UsageError } from '../../util/errors.js';
import { nameOption } from '../options.js';

export function addCaptureCommand(program: Command): void {
  program
    .command('capture')
    .summary("write a pcap of a VM's NIC or of a whole net, taken inside the lab's namespace")
    .description(
      'Runs tcpdump on the host side of the NIC (its tap) or on the bridge of a net, inside the ' +
        "lab's namespace, until Ctrl-C, --count packets or --seconds. Open the file with " +
        'wireshark or tcpdump -r.',
    )
    .argument('[vm]', 'e.g. vm-001')
    .argument('[iface]', 'e.g. eth1')
    .addOption(nameOption())
    .addOption(
      new Option('--net <n>', 'capture the whole net n (its bridge) instead').argParser((v) =>
        parseIntStrict(v, '--net'),
      ),
    )
    .option('--filter <expression>', 'a tcpdump/pcap filter, e.g. "icmp or icmp6"')
    .option('-o, --output <file>', 'pcap file (default <lab>-<vm>-<iface>.pcap or <lab>-net<n>.pcap here)')
    .addOption(
      new Option('--count <n>', 'stop after n packets').argParser((v) => parseIntStrict(v, '--count')),
    )
    .addOption(
      new Option('--seconds <n>', 'stop after n seconds').argParser((v) => parseIntStrict(v, '--seconds')),
    )
    .action(async (vm, iface, flags) => {
      const state = await requireState(flags.name);
      if (!state.netns) throw new UsageError(`lab "${state.name}" has no namespace (is it running?)`);
      const target = captureTarget(state, vm, iface, flags.net);
      const file = resolve(flags.output ?? target.file);
      const limits = { filter: flags.filter, count: flags.count, seconds: flags.seconds };
      const stop = flags.seconds ? `${flags.seconds} s` : flags.count ? `${flags.count} packets` : 'Ctrl-C';
      process.stderr.write(`capturing ${target.what} in ${state.netns} into ${file} until ${stop}\n`);
      const { captured } = await runCapture(
        tcpdumpArgv(state.netns, target.device, limits, file),
        limits,
        'inherit',
      );
      process.stdout.write(`wrote ${file}: ${captured} packets from ${target.what}\n`);
    });
}
