// tcpdump on a lab's own devices (a VM NIC's tap, a net's bridge), always inside the lab's
// namespace: to a pcap file for `lab capture`, or as decoded lines for a scenario's checks.
import { execa } from 'execa';
import type { LabState } from '../lifecycle/state.js';
import { LabError, UsageError } from '../util/errors.js';
import { inNetns } from './netns.js';

export interface CaptureLimits {
  /** tcpdump/pcap filter expression, e.g. "udp port 8472". */
  filter?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds (tcpdump gets SIGINT, as Ctrl-C). */
  seconds?: number;
}

export interface CaptureTarget {
  device: string;
  what: string;
  file: string;
}

/** The tap of vm/iface, or the bridge of a net, with a default file name. */
export function captureTarget(state: LabState, vm?: string, iface?: string, net?: number): CaptureTarget {
  if (net !== undefined) {
    const plan = state.plan.nets.find((n) => n.id === net);
    if (!plan)
      throw new UsageError(
        `lab "${state.name}" has no net ${net}`,
        `nets: ${state.plan.nets.map((n) => n.id).join(', ')}`,
      );
    return {
      device: plan.bridge,
      what: `net ${net} (bridge ${plan.bridge})`,
      file: `${state.name}-net${net}.pcap`,
    };
  }
  const node = state.plan.nodes.find((n) => n.name === vm);
  if (!node)
    throw new UsageError(
      `lab "${state.name}" has no VM "${vm ?? ''}"`,
      `VMs: ${state.plan.nodes.map((n) => n.name).join(', ')}; or capture a whole net with --net N`,
    );
  const nic = node.nics.find((n) => n.name === iface);
  if (!nic)
    throw new UsageError(
      `${node.name} has no NIC "${iface ?? ''}"`,
      `NICs: ${node.nics.map((n) => n.name).join(', ')}`,
    );
  return {
    device: nic.tap,
    what: `${node.name} ${nic.name} (tap ${nic.tap})`,
    file: `${state.name}-${node.name}-${nic.name}.pcap`,
  };
}

/** tcpdump's argv in the namespace: packets to `file` (pcap), or decoded to stdout without it. */
export function tcpdumpArgv(netns: string, device: string, limits: CaptureLimits, file?: string): string[] {
  return inNetns(netns, [
    'tcpdump',
    '-i',
    device,
    ...(file
      ? // Stay root: the file is the user's, wherever they asked for it.
        ['-Z', 'root', '-U', '-w', file]
      : ['-nn', '-l']),
    ...(limits.count ? ['-c', String(limits.count)] : []),
    ...(limits.filter ? [limits.filter] : []),
  ]);
}

/** Runs a capture to its limits; SIGINT from the caller (Ctrl-C) stops it as well. */
export async function runCapture(argv: string[], limits: CaptureLimits, stdout: 'inherit' | 'pipe') {
  const run = execa(argv[0] ?? 'ip', argv.slice(1), { reject: false, stdout, stderr: 'pipe' });
  const timer = limits.seconds ? setTimeout(() => run.kill('SIGINT'), limits.seconds * 1000) : undefined;
  const interrupt = () => run.kill('SIGINT');
  process.once('SIGINT', interrupt);
  try {
    const result = await run;
    const captured = /(\d+) packets? captured/.exec(result.stderr ?? '')?.[1];
    if (captured === undefined)
      throw new LabError(
        `tcpdump failed: ${(result.stderr ?? '').trim() || `exit ${result.exitCode}`}`,
        'is tcpdump installed? (apt-get install tcpdump)',
      );
    return {
      captured: Number(captured),
      lines: String(result.stdout ?? '')
        .split('\n')
        .filter(Boolean),
    };
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', interrupt);
  }
}
