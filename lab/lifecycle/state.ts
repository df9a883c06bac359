// The lab's state file: a write-ahead record of everything a lab creates on the host.
// A resource is recorded *before* it is created, so after a crash at any point
// `lab clean` knows every thing that may exist and removes exactly those.
import { readFileSync, rmSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import type { SnapshotKey } from '../snapshot/key.js';
import { fieldPath } from '../topology/issues.js';
import type { LabPlan } from '../topology/plan.js';
import type { Accel, LabConfig } from '../topology/schema.js';
import { LabError } from '../util/errors.js';
import { checkLabName, LAB_NAME_PATTERN, labDir, stateDir } from '../util/paths.js';

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
  /** The host's boot id at start: a lab whose host restarted since has no VMs left. */
  bootId?: string;
  /** What a snapshot of this lab depends on (lab snapshot save records it). */
  snapshotKey?: SnapshotKey;
  /** Artifacts built from a developer's checkout at the start (lab start --src), with git describe's version. */
  builtFrom?: { artifact: string; dir: string; version: string }[];
  /** What `lab deploy` put in place since the start, by deployable name. */
  deployed?: Record<string, { source: string; version: string; at: string; buildMs: number; copyMs: number }>;
  /** Set when the lab was restored from a snapshot instead of booted. */
  snapshot?: {
    name: string;
    savedAt: string;
    restoredAt: string;
    /** The version directory its disks sit on. */
    dir: string;
  };
}

export const stateFile = (lab: string) => join(labDir(lab), 'state.json');

const STATE_VERSION = 1;
const anObject = (what: string) =>
  z.custom<object>((value) => typeof value === 'object' && value !== null, `${what} (an object)`);

/**
 * What lab stop/clean rely on is checked field by field; the plan, config and the records of
 * other modules are objects written by this same version (the version field says which).
 */
const labStateSchema = z
  .object({
    version: z.literal(STATE_VERSION),
    name: z.string().regex(LAB_NAME_PATTERN),
    dir: z.string().min(1),
    phase: z.enum(['starting', 'running', 'failed', 'stopping']),
    createdAt: z.string().optional(), // shown, never relied on
    ownerPid: z.number().int().nonnegative(),
    netns: z.string().optional(),
    config: anObject('the lab config'),
    plan: anObject('the lab plan'),
    overlays: z.array(z.string()),
    vms: z.array(
      z.object({ name: z.string(), dir: z.string(), pid: z.number().int().optional() }).passthrough(),
    ),
    forwards: z.array(z.string()).optional(),
    timings: z.record(z.string(), z.number()),
  })
  .passthrough();

/** A state file this version of lab cannot read (another version wrote it, or it was edited). */
export class UnreadableStateError extends LabError {}

/** The lab's state; undefined when it has none. A file that is not a valid state is an error. */
export async function readState(lab: string): Promise<LabState | undefined> {
  const file = stateFile(lab); // a bad name is a usage error, not "no such lab"
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw unreadable(file, `not JSON (${(err as Error).message})`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (version !== STATE_VERSION)
    throw unreadable(
      file,
      `state version ${JSON.stringify(version)}; this lab reads version ${STATE_VERSION}`,
    );
  const parsed = labStateSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw unreadable(file, `${fieldPath(issue?.path ?? []) || '(top level)'}: ${issue?.message}`);
  }
  return parsed.data as unknown as LabState;
}

/** The states of `names` that can be read; each one that cannot is reported, not fatal. */
export async function readStates(
  names: string[],
  report: (error: UnreadableStateError) => void,
): Promise<LabState[]> {
  const states = await Promise.all(
    names.map((name) =>
      readState(name).catch((err: unknown) => {
        if (!(err instanceof UnreadableStateError)) throw err;
        report(err);
        return undefined;
      }),
    ),
  );
  return states.filter((state): state is LabState => state !== undefined);
}

function unreadable(file: string, why: string): UnreadableStateError {
  return new UnreadableStateError(
    `${file} is not a state file this lab can read: ${why}`,
    `a lab started by another version of lab: stop it with that version, or end its QEMU processes ` +
      `(pgrep -af ${dirname(file)}/) and remove ${dirname(file)}`,
  );
}

/** Labs being removed by this process after an interrupt: no write may bring their file back. */
const removing = new Set<string>();
export function freezeState(lab: string): void {
  removing.add(lab);
}

/** Atomic: a reader sees the old or the new file, never half of one. */
export async function writeState(state: LabState): Promise<void> {
  if (removing.has(state.name)) return;
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
  return names.filter((n) => LAB_NAME_PATTERN.test(n)).sort();
}

const lockDir = (lab: string) => join(stateDir(), 'labs', `${checkLabName(lab)}.lock`);

/** Only for a lock whose holder is known dead (a start killed with -9). */
export async function removeLock(lab: string): Promise<void> {
  await rm(lockDir(lab), { recursive: true, force: true });
  await rm(ownerFile(lab), { force: true });
}

/**
 * Removes the lab's lock if this process holds it: an interrupted process exits without
 * unwinding. Synchronous, so that nothing else of the interrupted work runs before the exit.
 */
export function releaseOwnLock(lab: string): void {
  let owner: { pid?: number } | undefined;
  try {
    owner = JSON.parse(readFileSync(ownerFile(lab), 'utf8')) as { pid?: number };
  } catch {
    return;
  }
  if (owner.pid !== process.pid) return;
  rmSync(lockDir(lab), { recursive: true, force: true });
  rmSync(ownerFile(lab), { force: true });
}

const ownerFile = (lab: string) => join(stateDir(), 'labs', `${checkLabName(lab)}.lock-owner`);

/** The process that holds a lab's lock, as its owner file says (undefined: none or unreadable). */
async function lockOwner(lab: string): Promise<{ pid: number; command: string } | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile(lab), 'utf8')) as { pid: number; command: string };
  } catch {
    return undefined;
  }
}

/** Who holds a lab's lock, in words ("process 123 (lab start multus)"), as far as it is known. */
export async function lockHolder(lab: string): Promise<string> {
  const owner = await lockOwner(lab);
  if (!owner) return 'another lab process';
  return `process ${owner.pid} (lab ${owner.command})${processAlive(owner.pid) ? '' : ', which is gone'}`;
}

/** The lab's lock is held by a process that is still alive (never break such a lock). */
export async function lockHeldByLiveProcess(lab: string): Promise<boolean> {
  const owner = await lockOwner(lab);
  return owner !== undefined && owner.pid !== process.pid && processAlive(owner.pid);
}

const LOCK_WAIT_MS = 10 * 60_000;
const waitingNote = (lab: string, holder: string) =>
  process.stderr.write(
    `lab: lab "${lab}" is locked by ${holder}; waiting for it (up to ${LOCK_WAIT_MS / 60_000} min)\n`,
  );

/**
 * Serializes start/stop/clean/save of one lab across processes. A caller that has to wait is
 * told at once who holds the lock, and given a clear error if it is never released.
 */
export async function withLabLock<T>(
  lab: string,
  fn: () => Promise<T>,
  onWait: (holder: string) => void = (holder) => waitingNote(lab, holder),
): Promise<T> {
  const labs = join(stateDir(), 'labs');
  await mkdir(labs, { recursive: true, mode: 0o700 });
  await chmod(labs, 0o700); // labs hold private keys; a dir made by an older lab may be 0755
  // The lock is a directory that exists only while held: nothing stays behind after a stop.
  const options = {
    realpath: false,
    lockfilePath: lockDir(lab),
    stale: 20_000,
    // proper-lockfile's default throws inside a timer, which would kill a start half-way.
    onCompromised: (err: Error) =>
      process.stderr.write(`lab: warning: the lock of lab "${lab}" was lost (${err.message})\n`),
  };
  const target = join(labs, checkLabName(lab));
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, { ...options, retries: 0 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    const holder = await lockHolder(lab);
    onWait(holder);
    try {
      release = await lockfile.lock(target, {
        ...options,
        retries: { retries: LOCK_WAIT_MS / 500, minTimeout: 500, maxTimeout: 500, factor: 1 },
      });
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== 'ELOCKED') throw again;
      throw new LabError(
        `lab "${lab}" is still locked by ${await lockHolder(lab)} after ${LOCK_WAIT_MS / 60_000} min`,
        `if that process is gone or stuck: lab clean --name ${lab}`,
      );
    }
  }
  await writeFile(
    ownerFile(lab),
    JSON.stringify({ pid: process.pid, command: process.argv.slice(2).join(' ') }),
  );
  try {
    return await fn();
  } finally {
    await rm(ownerFile(lab), { force: true });
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
