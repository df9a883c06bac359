// What each VM of a lab is doing now: its QEMU alive or not, boot state, failed units.
import { EventTail } from '../vm/events.js';
import { consoleTail, runningPid } from '../vm/machine.js';
import { vmPaths } from '../vm/qemu-args.js';
import type { LabState } from './state.js';

export interface VmStatus {
  name: string;
  running: boolean;
  pid?: number;
  boot: string;
  failedUnits: string[];
  nics: { name: string; net: number; mac: string; ipv4?: string; ipv6?: string }[];
}

export async function vmStatuses(state: LabState): Promise<VmStatus[]> {
  return Promise.all(
    state.vms.map(async (vm) => {
      const pid = await runningPid(vm.dir, vm.pid);
      const events = await new EventTail(vmPaths(vm.dir).events).read();
      const boot = events.filter((e) => e.event === 'boot').pop();
      const failedUnits = events
        .filter((e) => e.event === 'unit' && (e.state === 'failed' || e.state === 'exited'))
        .map((e) => e.unit ?? '?');
      const node = state.plan.nodes.find((n) => n.name === vm.name);
      return {
        name: vm.name,
        running: pid !== undefined,
        pid,
        boot: boot?.state ?? 'booting',
        failedUnits,
        nics: (node?.nics ?? []).map(({ name, net, mac, ipv4, ipv6 }) => ({ name, net, mac, ipv4, ipv6 })),
      };
    }),
  );
}

/** For a failure report: which VMs are down, each with the tail of its serial console. */
export async function downVmsReport(state: LabState): Promise<string | undefined> {
  const down = (await vmStatuses(state)).filter((vm) => !vm.running);
  if (down.length === 0) return undefined;
  const parts = await Promise.all(
    down.map(async (vm) => {
      const dir = state.vms.find((v) => v.name === vm.name)?.dir ?? '';
      return `${vm.name} is not running (its QEMU exited)\n${await consoleTail(dir, 15)}`;
    }),
  );
  return parts.join('\n');
}
