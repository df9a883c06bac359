// tcpdump on a lab's own devices (a VM NIC's tap, a net's bridge), always inside the lab's
// namespace: to a pcap file for `lab capture`, or as decoded lines for a scenario's checks.
import { execa } from 'execa';
import { LabError } from '../util/errors.js';
import { inNetns } from './netns.js';

export interface CaptureLimits {
  /** tcpdump/pcap filter expression, e.g. "udp port 8472". */
  filter?: string;
  /** Stop after this many packets. */
  count?: number;
  /** Stop after this many seconds (tcpdump gets SIGINT, as Ctrl-C). */
  seconds?: number;
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
