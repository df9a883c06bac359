// The lab's state file: a write-ahead record of everything a lab creates on the host.
// A resource is recorded *before* it is created, so after a crash at any point
// `lab clean` knows every thing that may exist and removes exactly those.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { LabPlan } from '../topology/plan.js';
import type { Accel, LabConfig } from '../topology/schema.js';
import { labDir, stateDir } from '../util/paths.js';

export interface VmState {
  name: string;
  dir: string;
  /** Filled right after spawn; qemu's own pidfile in `dir` covers a crash before that. */
  pid?: number;
}

export interface LabState {
  version: 1;
  name: string;
  dir: string;
  phase: 'starting' | 'running' | 'failed' | 'stopping';
  createdAt: string;
  /** The `lab start` process; used to tell a crashed start from a running one. */
  ownerPid: number;
  netns?: string;
  accel?: { used: 'kvm' | 'tcg'; requested: Accel; reason: string };
  config: LabConfig;
  plan: LabPlan;
  overlays: string[];
  vms: VmState[];
  /** Artifact name → its directory in the cache (e.g. kubectl for host access). */
  artifacts?: Record<string, string>;
  /** Host forwards started (their pid/port files live in `dir`). */
  forwards?: string[];
  timings: Record<string, number>;
}

export const stateFile = (lab: string) => join(labDir(lab), 'state.json');

export async function readState(lab: string): Promise<LabState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(lab), 'utf8')) as LabState;
  } catch {
    return undefined;
  }
}

/** Atomic: a reader sees the old or the new file, never half of one. */
export async function writeState(state: LabState): Promise<void> {
  await mkdir(state.dir, { recursive: true });
  const file = join(state.dir, 'state.json');
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
}

export async function updateState(state: LabState, change: Partial<LabState>): Promise<LabState> {
  Object.assign(state, change);
  await writeState(state);
  return state;
}

export async function listLabs(): Promise<string[]> {
  const names = await readdir(join(stateDir(), 'labs')).catch(() => [] as string[]);
  return names.filter((n) => !n.includes('.')).sort();
}

const lockDir = (lab: string) => join(stateDir(), 'labs', `${lab}.lock`);

/** Only for a lock whose holder is known dead (a start killed with -9). */
export async function removeLock(lab: string): Promise<void> {
  await rm(lockDir(lab), { recursive: true, force: true });
}

/** Serializes start/stop/clean of one lab across processes. */
export async function withLabLock<T>(lab: string, fn: () => Promise<T>): Promise<T> {
  const labs = join(stateDir(), 'labs');
  await mkdir(labs, { recursive: true });
  // The lock is a directory that exists only while held: nothing stays behind after a stop.
  const release = await lockfile.lock(join(labs, lab), {
    realpath: false,
    lockfilePath: lockDir(lab),
    retries: { retries: 600, minTimeout: 100, maxTimeout: 500 },
    stale: 20_000,
  });
  try {
    return await fn();
  } finally {
    await release();
  }
}

export function processAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
