// Writer for the "newc" cpio format the Linux kernel unpacks as an initramfs
// (see the kernel's Documentation/driver-api/early-userspace/buffer-format.rst).
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';

export type CpioEntry =
  | { path: string; type: 'file'; mode?: number; data: Buffer }
  | { path: string; type: 'dir'; mode?: number }
  | { path: string; type: 'symlink'; target: string };

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const PERMISSION_BITS = 0o7777;

const MAGIC = '070701';
const HEADER_SIZE = 110; // magic + 13 fields of 8 hex digits
const TRAILER = 'TRAILER!!!';

/** Uncompressed newc archive; parents are added (0755) and everything is sorted by path. */
export function cpioArchive(entries: Iterable<CpioEntry>): Buffer {
  const chunks: Buffer[] = [];
  let ino = 1;
  for (const entry of withParentDirs(entries)) {
    chunks.push(...encodeEntry(entry, ino++));
  }
  chunks.push(...encodeRecord({ name: TRAILER, ino: 0, mode: 0, nlink: 1, data: Buffer.alloc(0) }));
  return Buffer.concat(chunks);
}

/** gzip-compressed archive, the form `-initrd` usually gets. Deterministic: gzip's mtime field stays 0. */
export function cpioGz(entries: Iterable<CpioEntry>): Buffer {
  return gzipSync(cpioArchive(entries));
}

/**
 * Entries for everything below `dir` (not `dir` itself), sorted, paths relative to `dir`
 * and placed under `prefix` if given. Modes come from disk minus group/other write:
 * that keeps exec bits and private 0600 files, while a checkout made under umask 002
 * produces the same archive as one made under 022.
 */
export async function cpioEntriesFromDir(dir: string, prefix = ''): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  const base = prefix === '' ? '' : normalizeArchivePath(prefix);

  async function walk(relative: string): Promise<void> {
    const names = (await readdir(join(dir, relative))).sort(comparePaths);
    for (const name of names) {
      const childRelative = relative === '' ? name : `${relative}/${name}`;
      const diskPath = join(dir, childRelative);
      const path = base === '' ? childRelative : `${base}/${childRelative}`;
      const stats = await lstat(diskPath);
      const mode = stats.mode & PERMISSION_BITS & ~0o022;
      if (stats.isSymbolicLink()) {
        entries.push({ path, type: 'symlink', target: await readlink(diskPath) });
      } else if (stats.isDirectory()) {
        entries.push({ path, type: 'dir', mode });
        await walk(childRelative);
      } else if (stats.isFile()) {
        entries.push({ path, type: 'file', mode, data: await readFile(diskPath) });
      } else {
        throw new Error(`cpio: ${diskPath} is neither a file, a directory nor a symlink`);
      }
    }
  }

  await walk('');
  return entries.sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Normalizes paths, rejects duplicates, adds missing parent directories and sorts by path.
 * Sorting is what puts parents first (a path sorts after all of its prefixes) and makes the
 * output independent of the order the caller produced entries in.
 */
function withParentDirs(entries: Iterable<CpioEntry>): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const entry of entries) {
    const path = normalizeArchivePath(entry.path);
    if (byPath.has(path)) throw new Error(`cpio: duplicate entry for ${path}`);
    byPath.set(path, { ...entry, path });
  }
  for (const path of [...byPath.keys()]) {
    for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) {
      const existing = byPath.get(parent);
      if (existing === undefined) {
        byPath.set(parent, { path: parent, type: 'dir', mode: 0o755 });
      } else if (existing.type !== 'dir') {
        throw new Error(`cpio: ${path} needs ${parent} to be a directory, but it is a ${existing.type}`);
      }
    }
  }
  return [...byPath.values()].sort((a, b) => comparePaths(a.path, b.path));
}

/** Archive paths are relative ("etc/hosts"): the kernel unpacks them relative to rootfs. */
function normalizeArchivePath(path: string): string {
  const normalized = posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (normalized === '' || normalized === '.' || normalized.split('/').includes('..')) {
    throw new Error(`cpio: invalid archive path ${JSON.stringify(path)}`);
  }
  return normalized;
}

// Plain code-unit order, not localeCompare: the archive must not depend on the machine's locale.
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeEntry(entry: CpioEntry, ino: number): Buffer[] {
  switch (entry.type) {
    case 'file':
      return encodeRecord({
        name: entry.path,
        ino,
        mode: S_IFREG | permissions(entry.mode, 0o644),
        nlink: 1,
        data: entry.data,
      });
    case 'dir':
      return encodeRecord({
        name: entry.path,
        ino,
        mode: S_IFDIR | permissions(entry.mode, 0o755),
        nlink: 2,
        data: Buffer.alloc(0),
      });
    case 'symlink':
      // A symlink's data is its target, without a terminating NUL.
      return encodeRecord({
        name: entry.path,
        ino,
        mode: S_IFLNK | 0o777,
        nlink: 1,
        data: Buffer.from(entry.target),
      });
  }
}

function permissions(mode: number | undefined, fallback: number): number {
  return (mode ?? fallback) & PERMISSION_BITS;
}

interface CpioRecord {
  name: string;
  ino: number;
  mode: number;
  nlink: number;
  data: Buffer;
}

function encodeRecord(record: CpioRecord): Buffer[] {
  const name = Buffer.from(`${record.name}\0`);
  if (record.data.length > 0xffffffff)
    throw new Error(`cpio: ${record.name} is too large for newc (4 GiB limit)`);
  const fields = [
    record.ino,
    record.mode,
    0, // uid
    0, // gid
    record.nlink,
    0, // mtime: fixed so that the same input gives the same bytes
    record.data.length,
    0, // devmajor
    0, // devminor
    0, // rdevmajor
    0, // rdevminor
    name.length,
    0, // check: only used by the 070702 (crc) variant
  ];
  const header = Buffer.from(
    MAGIC + fields.map((field) => field.toString(16).padStart(8, '0')).join(''),
    'ascii',
  );
  return [header, name, padding(HEADER_SIZE + name.length), record.data, padding(record.data.length)];
}

/** Zero bytes that bring `length` up to the next multiple of 4. */
function padding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}
