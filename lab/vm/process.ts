// QEMU processes outlive the `lab` command that starts them, so they are detached and
// found again by pid. A pid is only trusted when its command line names the VM's dir:
// after a crash and a reboot-free while, the pid may belong to something else.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/**
 * The process's command line names `marker` (an absolute path: a lab's directory or a file in
 * it) as a whole path: `/labs/a` matches `/labs/a/qmp.sock`, not `/labs/ab`; an empty or
 * relative marker matches nothing.
 */
export async function isOurProcess(pid: number | undefined, marker: string): Promise<boolean> {
  if (!pid || !marker.startsWith('/') || marker.length < 2) return false;
  const line = await commandLine(pid);
  if (line === undefined) return false;
  const padded = `${line} `;
  return padded.includes(`${marker}/`) || padded.includes(`${marker} `) || padded.includes(`${marker},`);
}

export async function readPidfile(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

// Every daemon this process started, and whether it may start more: an interrupt closes the
// gate, then ends what this process started for the labs it removes, so a VM whose spawn was
// under way as the teardown read the state is not left running (its pid was never written).
const started = new Set<number>();
let spawnsRefused: string | undefined;

/** From now on spawnDetached throws `why`: the process is removing what it made and exiting. */
export function refuseSpawns(why: string): void {
  spawnsRefused = why;
}

/** The daemons this process started that are still ours (their command line names `marker`). */
export async function startedHere(marker: string): Promise<number[]> {
  const pids = [...started];
  const ours = await Promise.all(pids.map((pid) => isOurProcess(pid, marker)));
  return pids.filter((_, i) => ours[i]);
}

/** Starts a long-lived daemon: own process group, output to `logFile`, not our child to wait for. */
export function spawnDetached(argv: string[], logFile: string): number {
  const [file, ...args] = argv;
  if (!file) throw new Error('spawnDetached: empty argv');
  if (spawnsRefused) throw new Error(`not starting ${file}: ${spawnsRefused}`);
  const log = openSync(logFile, 'a');
  const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log] });
  child.on('error', () => {}); // reported below as a missing pid
  child.unref();
  closeSync(log);
  if (!child.pid) throw new Error(`could not start ${file}`);
  started.add(child.pid);
  return child.pid;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `pid` is gone, up to `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await commandLine(pid)) || (await isZombie(pid))) return true;
    await sleep(50);
  }
  return false;
}

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return / Z /.test(stat);
}

/** SIGTERM, then SIGKILL if it lingers. Safe on a pid that is already gone. */
export async function terminate(pid: number, graceMs = 3000): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  if (await waitGone(pid, graceMs)) return;
  signal('SIGKILL');
  await waitGone(pid, 5000);
}
