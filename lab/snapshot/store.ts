// Where saved labs live and what a snapshot's manifest says. Each save writes a new version
// directory <state>/snapshots/.<name>~<id>/ (0700, files 0600: VM RAM and the per-lab files
// hold private keys) under a temporary name, and only then points the name <name> (a symlink)
// at it. So a save killed at any point leaves nothing that looks usable, nothing writes to a
// version after it is saved, and a lab restored from a version keeps it while the name moves
// on to a newer save: versions no name and no lab uses are pruned. A restore that fails marks
// its version unusable in a file of its own.
import {
  chmod,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { listLabs, processAlive, readState } from '../lifecycle/state.js';
import { UsageError } from '../util/errors.js';
import { stateDir } from '../util/paths.js';
import { SNAPSHOT_FORMAT, type SnapshotKey } from './key.js';

export const SNAPSHOT_NAME = /^[a-z0-9][a-z0-9+._-]{0,63}$/;

export function checkSnapshotName(name: string, field = 'snapshot name'): string {
  if (!SNAPSHOT_NAME.test(name) || name.includes('..'))
    throw new UsageError(
      `${field} "${name}" is not valid`,
      'use lowercase letters, digits and + . _ - (at most 64), starting with a letter or digit',
    );
  return name;
}

/** The snapshot `lab start` saves and looks for: named after the lab's overlays. */
export function autoSnapshotName(overlays: string[]): string {
  return overlays.join('+') || 'base';
}

export const snapshotsRoot = () => join(stateDir(), 'snapshots');
/** The name: a symlink to the version it stands for now. */
export const snapshotDir = (name: string) => join(snapshotsRoot(), name);
const VERSION = /^\.(.+)~([0-9a-z]+)$/;

/** A VM's files inside a snapshot. */
export const snapshotVmPaths = (dir: string, vm: string) => ({
  state: join(dir, 'vms', vm, 'state.zst'),
  disk: join(dir, 'vms', vm, 'disk.qcow2'),
  initrd: join(dir, 'vms', vm, 'initrd.cpio.gz'),
  events: join(dir, 'vms', vm, 'events.log'),
  console: join(dir, 'vms', vm, 'console.log'),
});
/** The lab's own files (SSH keys, PKI): restored labs take them from here. */
export const snapshotLabFiles = (dir: string) => join(dir, 'lab');

const keySchema = z.object({
  format: z.number(),
  qemu: z.string(),
  machine: z.string(),
  accel: z.object({ accel: z.enum(['kvm', 'tcg']), cpu: z.string() }),
  kernel: z.string(),
  initramfs: z.string(),
  layers: z.array(z.object({ name: z.string(), key: z.string() })),
  overlays: z.array(z.string()),
  plan: z.custom<SnapshotKey['plan']>((v) => typeof v === 'object' && v !== null && 'nodes' in v),
});

const manifestSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  name: z.string(),
  savedAt: z.string(),
  /** The lab it was saved from. */
  savedFrom: z.string(),
  saveMs: z.number(),
  key: keySchema,
  /** The config the saved lab was started with (`lab start --snapshot NAME` restores it). */
  config: z.record(z.string(), z.unknown()),
  vms: z.array(z.object({ name: z.string(), stateBytes: z.number(), diskBytes: z.number() })),
});
export type SnapshotManifest = z.infer<typeof manifestSchema>;

const manifestFile = (dir: string) => join(dir, 'snapshot.json');
const unusableFile = (dir: string) => join(dir, 'unusable.json');

export type SnapshotLookup =
  | { found: false }
  | { found: true; usable: true; manifest: SnapshotManifest; dir: string }
  | { found: true; usable: false; why: string; dir: string; manifest?: SnapshotManifest };

/** Reads a snapshot and checks that it is whole: manifest, every file at its recorded size. */
export async function readSnapshot(name: string): Promise<SnapshotLookup> {
  // Resolved once: everything a restore reads comes from this one version.
  const dir = await realpath(snapshotDir(name)).catch(() => undefined);
  if (!dir) return { found: false };
  let text: string;
  try {
    text = await readFile(manifestFile(dir), 'utf8');
  } catch {
    return (await stat(dir).catch(() => undefined))
      ? { found: true, usable: false, why: 'it has no snapshot.json', dir }
      : { found: false };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { found: true, usable: false, why: 'its snapshot.json is not JSON', dir };
  }
  const format = (raw as { format?: unknown }).format;
  if (format !== SNAPSHOT_FORMAT)
    return {
      found: true,
      usable: false,
      why: `it has format ${String(format)}, not ${SNAPSHOT_FORMAT}`,
      dir,
    };
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    return {
      found: true,
      usable: false,
      why: `its snapshot.json is malformed (${parsed.error.issues[0]?.path.join('.')})`,
      dir,
    };
  const manifest = parsed.data;
  const marked = await readFile(unusableFile(dir), 'utf8').catch(() => undefined);
  if (marked !== undefined) {
    const why = (JSON.parse(marked) as { why?: string }).why ?? 'marked unusable';
    return { found: true, usable: false, why: `a restore failed before: ${why}`, dir, manifest };
  }
  for (const vm of manifest.vms) {
    const paths = snapshotVmPaths(dir, vm.name);
    for (const [file, size] of [
      [paths.state, vm.stateBytes],
      [paths.disk, vm.diskBytes],
      [paths.initrd, undefined],
    ] as const) {
      const info = await stat(file).catch(() => undefined);
      if (!info) return { found: true, usable: false, why: `${file} is missing`, dir, manifest };
      if (size !== undefined && info.size !== size)
        return {
          found: true,
          usable: false,
          why: `${file} has ${info.size} bytes, ${size} were saved (truncated or changed)`,
          dir,
          manifest,
        };
    }
  }
  return { found: true, usable: true, manifest, dir };
}

/** Records why a restore from this version failed; later starts boot cold until it is saved anew. */
export async function markUnusable(dir: string, why: string): Promise<void> {
  await writeFile(unusableFile(dir), `${JSON.stringify({ why, at: new Date().toISOString() })}\n`, {
    mode: 0o600,
  }).catch(() => undefined);
}

/** A fresh temporary directory for a save; leftovers of saves whose process died are removed. */
export async function beginSave(name: string): Promise<string> {
  await mkdir(snapshotsRoot(), { recursive: true, mode: 0o700 });
  await chmod(snapshotsRoot(), 0o700);
  await pruneSnapshots();
  const tmp = join(snapshotsRoot(), `.${name}~${Date.now().toString(36)}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { mode: 0o700 });
  return tmp;
}

/** Writes the manifest last, locks the modes down, then points the name at the new version. */
export async function commitSave(tmp: string, manifest: SnapshotManifest): Promise<string> {
  await writeFile(manifestFile(tmp), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  await restrictModes(tmp);
  const version = tmp.replace(/\.tmp-\d+$/, '');
  await rename(tmp, version);
  const link = join(snapshotsRoot(), `.${manifest.name}.link-${process.pid}`);
  await rm(link, { force: true });
  await symlink(basename(version), link);
  await rename(link, snapshotDir(manifest.name)); // atomic: a reader sees the old or the new
  await pruneSnapshots();
  return version;
}

/** Directories 0700, files 0600, all the way down. */
async function restrictModes(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await restrictModes(path);
    else if (entry.isFile()) await chmod(path, 0o600);
  }
}

/**
 * Removes what nothing needs: temporary dirs of saves whose process is gone (killed with -9),
 * and versions that no name points at and no lab (running or starting) was restored from.
 */
export async function pruneSnapshots(): Promise<void> {
  const root = snapshotsRoot();
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const named = new Set<string>();
  for (const entry of entries)
    if (entry.isSymbolicLink()) named.add(await readlink(join(root, entry.name)).catch(() => ''));
  const inUse = new Set((await labSnapshots()).map((s) => basename(s.dir)));
  for (const entry of entries) {
    const tmp = /\.(?:tmp|link)-(\d+)$/.exec(entry.name);
    if (tmp) {
      if (!processAlive(Number(tmp[1]))) await rm(join(root, entry.name), { recursive: true, force: true });
    } else if (
      entry.isDirectory() &&
      VERSION.test(entry.name) &&
      !named.has(entry.name) &&
      !inUse.has(entry.name)
    )
      await rm(join(root, entry.name), { recursive: true, force: true });
  }
}

/** Every lab restored from a snapshot: its name and the version directory it runs on. */
async function labSnapshots(): Promise<Array<{ lab: string; name: string; dir: string }>> {
  const found: Array<{ lab: string; name: string; dir: string }> = [];
  for (const lab of await listLabs()) {
    const snapshot = (await readState(lab))?.snapshot;
    if (snapshot) found.push({ lab, name: snapshot.name, dir: snapshot.dir });
  }
  return found;
}

export async function listSnapshotNames(): Promise<string[]> {
  const entries = await readdir(snapshotsRoot(), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isSymbolicLink() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Bytes on disk of every file under `dir`. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else total += ((await stat(path).catch(() => undefined))?.blocks ?? 0) * 512;
  }
  return total;
}

/** Labs restored from `name` (any of its versions). */
export async function labsUsing(name: string): Promise<string[]> {
  return (await labSnapshots()).filter((s) => s.name === name).map((s) => s.lab);
}

/** Removes the name; a version that labs still run on stays until the last of them stops. */
export async function removeSnapshot(name: string): Promise<string[]> {
  await unlink(snapshotDir(name));
  await pruneSnapshots();
  return labsUsing(name);
}
