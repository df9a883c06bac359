// The artifact cache: content built once, shared by every lab and safe under concurrency.
// An entry is a directory that appears atomically (built in a temp dir, then renamed), so a
// crash mid-build leaves only a temp dir that the next build removes.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { cacheDir } from '../util/paths.js';

export interface EntryMeta {
  kind: string;
  key: string;
  description: string;
  inputs: unknown;
  builtAt: string;
  buildMs: number;
}

export interface CacheEntry {
  dir: string;
  meta: EntryMeta;
  /** true when this call built it, false when it was already there. */
  built: boolean;
}

export interface EnsureOptions {
  kind: string;
  key: string;
  description: string;
  inputs: unknown;
  /** Fills `dir` (an empty temp dir). Must not touch anything else. */
  build: (dir: string) => Promise<void>;
  root?: string;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export function entryDir(kind: string, key: string, root = cacheDir()): string {
  return join(root, kind, key);
}

async function readMeta(dir: string): Promise<EntryMeta | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, '.meta.json'), 'utf8')) as EntryMeta;
  } catch {
    return undefined;
  }
}

export async function lookup(kind: string, key: string, root = cacheDir()): Promise<CacheEntry | undefined> {
  const dir = entryDir(kind, key, root);
  const meta = await readMeta(dir);
  return meta ? { dir, meta, built: false } : undefined;
}

/** Returns the entry, building it under a lock if it is missing. */
export async function ensure(options: EnsureOptions): Promise<CacheEntry> {
  const root = options.root ?? cacheDir();
  const found = await lookup(options.kind, options.key, root);
  if (found) return found;

  const dir = entryDir(options.kind, options.key, root);
  await mkdir(join(root, options.kind), { recursive: true });
  const release = await lockfile.lock(dir, {
    realpath: false,
    lockfilePath: `${dir}.lock`,
    retries: { retries: 100_000, minTimeout: 200, maxTimeout: 1000 },
    stale: 30_000,
  });
  try {
    const builtMeanwhile = await lookup(options.kind, options.key, root);
    if (builtMeanwhile) return builtMeanwhile;
    const tmp = `${dir}.tmp`;
    await rm(tmp, { recursive: true, force: true }); // left by a crashed build
    await mkdir(tmp, { recursive: true });
    const started = Date.now();
    try {
      await options.build(tmp);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    const meta: EntryMeta = {
      kind: options.kind,
      key: options.key,
      description: options.description,
      inputs: options.inputs,
      builtAt: new Date().toISOString(),
      buildMs: Date.now() - started,
    };
    await writeFile(join(tmp, '.meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    if (await exists(dir)) await rm(dir, { recursive: true, force: true }); // a dir without meta is junk
    await rename(tmp, dir);
    return { dir, meta, built: true };
  } finally {
    await release();
  }
}
