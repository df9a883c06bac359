// One way for scenarios to ping many addresses in one round trip: a script that pings each of
// its arguments once and prints those that did not answer. The addresses are the script's
// arguments, never pasted into its text.
import { shellQuote } from '../../lab/util/shell-quote.js';

export interface PingOptions {
  /** Seconds to wait for each answer. */
  waitSec?: number;
  /** A command that runs ping somewhere else, e.g. ['lab-cni', 'exec', 'pod1']. */
  via?: string[];
}

/** argv for an exec that takes one (a pod's): sh -c SCRIPT ping-all TARGET... */
export function pingAllArgv(targets: readonly string[], options: PingOptions = {}): string[] {
  const via = (options.via ?? []).map(shellQuote).join(' ');
  const ping = `${via ? `${via} ` : ''}ping -c1 -W${options.waitSec ?? 2} "$a"`;
  const script = `for a in "$@"; do ${ping} >/dev/null 2>&1 || echo "$a"; done`;
  return ['sh', '-c', script, 'ping-all', ...targets];
}

/** The same as one shell command line, every word quoted (for SSH, which takes a string). */
export const pingAllCommand = (targets: readonly string[], options: PingOptions = {}): string =>
  pingAllArgv(targets, options).map(shellQuote).join(' ');

/** The targets the script said did not answer. */
export const unanswered = (stdout: string): string[] => stdout.split('\n').filter(Boolean);
