// lab status
import type { Command } from '@commander-js/extra-typings';
import { vmStatuses } from '../../lifecycle/health.js';
import { type LabState, listLabs, readState, readStates } from '../../lifecycle/state.js';
import { UsageError, writeLabError as warnUnreadable } from '../../util/errors.js';
import { formatAge } from '../../util/time.js';
import { nameOption } from '../options.js';

export async function printStatus(state: LabState): Promise<void> {
  const vms = await vmStatuses(state);
  console.log(
    `lab ${state.name}: ${state.phase}, namespace ${state.netns ?? '-'}, accel ${state.accel?.used ?? '?'} (${state.accel?.reason ?? ''})`,
  );
  console.log(`overlays: ${state.overlays.join(', ')}`);
  if (state.snapshot)
    console.log(
      `restored from snapshot ${state.snapshot.name} (saved ${formatAge(state.snapshot.savedAt)} ago, restored ${formatAge(state.snapshot.restoredAt)} ago)`,
    );
  for (const b of state.builtFrom ?? [])
    console.log(`built from your checkout: ${b.artifact} ${b.version} (${b.dir})`);
  for (const [name, d] of Object.entries(state.deployed ?? {}))
    console.log(
      `deployed: ${name} ${d.version} from ${d.source === 'pinned' ? "the overlay's pinned build" : d.source} (${formatAge(d.at)} ago)`,
    );
  for (const vm of vms) {
    const health = vm.running ? (vm.boot === 'ready' ? 'ready' : vm.boot) : 'NOT RUNNING (its QEMU exited)';
    console.log(
      `${vm.name}  ${health}${vm.pid ? `  pid ${vm.pid}` : ''}${vm.failedUnits.length ? `  failed units: ${vm.failedUnits.join(', ')}` : ''}`,
    );
    for (const nic of vm.nics) {
      console.log(
        `  ${nic.name.padEnd(5)} net ${String(nic.net).padEnd(2)} ${nic.mac}  ${[nic.ipv4, nic.ipv6].filter(Boolean).join('  ') || '(no address)'}`,
      );
    }
  }
}

export function addStatusCommand(program: Command): void {
  program
    .command('status')
    .summary('show labs: VMs, accelerator, NICs, addresses')
    .addOption(nameOption())
    .option('--all', 'every lab')
    .option('--json', 'machine-readable')
    .action(async (flags) => {
      const names = flags.all ? await listLabs() : [flags.name];
      const states = flags.all
        ? await readStates(names, warnUnreadable)
        : [await readState(flags.name)].filter((s): s is LabState => s !== undefined);
      if (!flags.all && states.length === 0) {
        throw new UsageError(
          `no lab named "${flags.name}"`,
          `labs: ${(await listLabs()).join(', ') || 'none'}`,
        );
      }
      if (flags.json) {
        const out = await Promise.all(
          states.map(async (s) => ({
            name: s.name,
            phase: s.phase,
            netns: s.netns,
            accel: s.accel,
            overlays: s.overlays,
            snapshot: s.snapshot,
            builtFrom: s.builtFrom,
            deployed: s.deployed,
            vms: await vmStatuses(s),
          })),
        );
        console.log(JSON.stringify(flags.all ? out : out[0], null, 2));
        return;
      }
      for (const state of states) await printStatus(state);
      if (states.length === 0) console.log('no labs');
    });
}
