import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CpioEntry, cpioArchive, cpioEntriesFromDir, cpioGz } from '../../lab/image/cpio.js';
import { requireHostTool } from '../support/host-tool.js';

// GNU cpio reads back what the writer made: an independent reader of the format.
beforeAll(() => requireHostTool('cpio'));

/** One parsed newc record, read independently of the writer to check the raw header fields. */
interface ParsedRecord {
  name: string;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  check: number;
  data: Buffer;
}

function parseNewc(archive: Buffer): ParsedRecord[] {
  const records: ParsedRecord[] = [];
  let offset = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    expect(archive.toString('ascii', offset, offset + 6)).toBe('070701');
    const field = (i: number) =>
      Number.parseInt(archive.toString('ascii', offset + 6 + i * 8, offset + 14 + i * 8), 16);
    const nameSize = field(11);
    const fileSize = field(6);
    const nameStart = offset + 110;
    const name = archive.toString('utf8', nameStart, nameStart + nameSize - 1);
    expect(archive[nameStart + nameSize - 1]).toBe(0);
    const dataStart = align(nameStart + nameSize);
    const record: ParsedRecord = {
      name,
      ino: field(0),
      mode: field(1),
      uid: field(2),
      gid: field(3),
      nlink: field(4),
      mtime: field(5),
      check: field(12),
      data: archive.subarray(dataStart, dataStart + fileSize),
    };
    records.push(record);
    offset = align(dataStart + fileSize);
    if (name === 'TRAILER!!!') break;
  }
  expect(offset).toBe(archive.length);
  return records;
}

const sample: CpioEntry[] = [
  { path: 'init', type: 'file', mode: 0o755, data: Buffer.from('#!/bin/sh\nexec /bin/sh\n') },
  { path: 'etc/hostname', type: 'file', data: Buffer.from('vm1') }, // 3 bytes: needs padding
  { path: 'etc/empty', type: 'file', data: Buffer.alloc(0) },
  { path: 'etc/secret', type: 'file', mode: 0o600, data: Buffer.from('s3cret\n') },
  { path: 'etc/ssh', type: 'dir', mode: 0o700 },
  { path: '/bin/busybox', type: 'file', mode: 0o755, data: Buffer.from([0, 1, 2, 3, 4, 255]) },
  { path: 'bin/sh', type: 'symlink', target: 'busybox' },
  { path: 'usr/share/deep/file.txt', type: 'file', data: Buffer.from('deep\n') },
];

describe('cpioArchive', () => {
  it('writes newc records with fixed owner, mtime and sequential inodes', () => {
    const records = parseNewc(cpioArchive(sample));
    const names = records.map((r) => r.name);
    expect(names).toEqual([
      'bin',
      'bin/busybox',
      'bin/sh',
      'etc',
      'etc/empty',
      'etc/hostname',
      'etc/secret',
      'etc/ssh',
      'init',
      'usr',
      'usr/share',
      'usr/share/deep',
      'usr/share/deep/file.txt',
      'TRAILER!!!',
    ]);
    records.slice(0, -1).forEach((r, i) => {
      expect(r.ino).toBe(i + 1);
      expect(r.uid).toBe(0);
      expect(r.gid).toBe(0);
      expect(r.mtime).toBe(0);
      expect(r.check).toBe(0);
    });
    const byName = new Map(records.map((r) => [r.name, r]));
    expect(byName.get('usr/share')).toMatchObject({ mode: 0o040755, nlink: 2 });
    expect(byName.get('etc/ssh')).toMatchObject({ mode: 0o040700, nlink: 2 });
    expect(byName.get('etc/hostname')).toMatchObject({ mode: 0o100644, nlink: 1 });
    expect(byName.get('etc/hostname')?.data.toString()).toBe('vm1');
    expect(byName.get('etc/empty')?.data.length).toBe(0);
    expect(byName.get('bin/sh')).toMatchObject({ mode: 0o120777, nlink: 1 });
    expect(byName.get('bin/sh')?.data.toString()).toBe('busybox');
    expect(byName.get('TRAILER!!!')).toMatchObject({ ino: 0, mode: 0, nlink: 1 });
  });

  it('is byte-identical for the same input, whatever the input order', () => {
    const first = cpioArchive(sample);
    expect(cpioArchive(sample).equals(first)).toBe(true);
    expect(cpioArchive([...sample].reverse()).equals(first)).toBe(true);
  });

  it('keeps an explicit parent directory mode even when it is listed after its children', () => {
    const records = parseNewc(
      cpioArchive([
        { path: 'root/.ssh/authorized_keys', type: 'file', mode: 0o600, data: Buffer.from('key\n') },
        { path: 'root', type: 'dir', mode: 0o700 },
      ]),
    );
    expect(records.map((r) => [r.name, r.mode])).toEqual([
      ['root', 0o040700],
      ['root/.ssh', 0o040755],
      ['root/.ssh/authorized_keys', 0o100600],
      ['TRAILER!!!', 0],
    ]);
  });

  it('writes only the trailer for no entries', () => {
    expect(parseNewc(cpioArchive([])).map((r) => r.name)).toEqual(['TRAILER!!!']);
  });

  it('rejects duplicates, escaping paths and files used as directories', () => {
    const file = (path: string): CpioEntry => ({ path, type: 'file', data: Buffer.alloc(0) });
    expect(() => cpioArchive([file('a'), file('/a')])).toThrow('duplicate entry for a');
    expect(() => cpioArchive([file('../etc/passwd')])).toThrow('invalid archive path');
    expect(() => cpioArchive([file('/')])).toThrow('invalid archive path');
    expect(() => cpioArchive([file('a'), file('a/b')])).toThrow('a/b needs a to be a directory');
  });

  it('gzip variant decompresses to the plain archive', () => {
    const gz = cpioGz(sample);
    expect(gz.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(gz).equals(cpioArchive(sample))).toBe(true);
    expect(cpioGz(sample).equals(gz)).toBe(true);
  });
});

describe('with GNU cpio and a real directory tree', () => {
  let work: string;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'lab-cpio-'));
  });
  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function extract(archive: Buffer): Promise<string> {
    const out = join(work, 'out');
    await mkdir(out);
    await execa('cpio', ['-idm', '--no-absolute-filenames', '--quiet'], { cwd: out, input: archive });
    return out;
  }

  async function modeOf(path: string): Promise<number> {
    return (await lstat(path)).mode & 0o7777;
  }

  it('round-trips content, modes and symlink targets', async () => {
    const out = await extract(cpioArchive(sample));
    expect(await readFile(join(out, 'init'), 'utf8')).toBe('#!/bin/sh\nexec /bin/sh\n');
    expect(await modeOf(join(out, 'init'))).toBe(0o755);
    expect(await readFile(join(out, 'etc/hostname'), 'utf8')).toBe('vm1');
    expect(await modeOf(join(out, 'etc/hostname'))).toBe(0o644);
    expect((await readFile(join(out, 'etc/empty'))).length).toBe(0);
    expect(await modeOf(join(out, 'etc/secret'))).toBe(0o600);
    expect(await modeOf(join(out, 'etc/ssh'))).toBe(0o700);
    expect((await lstat(join(out, 'etc/ssh'))).isDirectory()).toBe(true);
    expect(await readFile(join(out, 'bin/busybox'))).toEqual(Buffer.from([0, 1, 2, 3, 4, 255]));
    expect(await readlink(join(out, 'bin/sh'))).toBe('busybox');
    expect(await readFile(join(out, 'usr/share/deep/file.txt'), 'utf8')).toBe('deep\n');
    expect(await modeOf(join(out, 'usr/share/deep'))).toBe(0o755);
  });

  it('reads a tree from disk and reproduces it through cpio', async () => {
    const src = join(work, 'src');
    await mkdir(join(src, 'etc/ssh'), { recursive: true });
    await mkdir(join(src, 'usr/bin'), { recursive: true });
    await writeFile(join(src, 'etc/motd'), 'hello\n', { mode: 0o664 }); // as if checked out under umask 002
    await writeFile(join(src, 'etc/ssh/ssh_host_ed25519_key'), 'private\n', { mode: 0o600 });
    await writeFile(join(src, 'usr/bin/tool'), '#!/bin/sh\n', { mode: 0o775 });
    await writeFile(join(src, 'usr/bin/odd'), 'abcde'); // 5 bytes
    await writeFile(join(src, 'usr/bin/empty'), '');
    await symlink('../../etc/motd', join(src, 'usr/bin/motd-link'));
    await symlink('ssh', join(src, 'etc/ssh-link')); // a symlink to a directory is not followed

    const entries = await cpioEntriesFromDir(src, 'opt/lab');
    expect(entries.map((e) => e.path)).toEqual([
      'opt/lab/etc',
      'opt/lab/etc/motd',
      'opt/lab/etc/ssh',
      'opt/lab/etc/ssh-link',
      'opt/lab/etc/ssh/ssh_host_ed25519_key',
      'opt/lab/usr',
      'opt/lab/usr/bin',
      'opt/lab/usr/bin/empty',
      'opt/lab/usr/bin/motd-link',
      'opt/lab/usr/bin/odd',
      'opt/lab/usr/bin/tool',
    ]);

    const archive = cpioArchive(entries);
    expect(cpioArchive(await cpioEntriesFromDir(src, 'opt/lab')).equals(archive)).toBe(true);

    const out = join(await extract(archive), 'opt/lab');
    expect(await readFile(join(out, 'etc/motd'), 'utf8')).toBe('hello\n');
    expect(await modeOf(join(out, 'etc/motd'))).toBe(0o644);
    expect(await modeOf(join(out, 'etc/ssh/ssh_host_ed25519_key'))).toBe(0o600);
    expect(await modeOf(join(out, 'usr/bin/tool'))).toBe(0o755);
    expect(await readFile(join(out, 'usr/bin/odd'), 'utf8')).toBe('abcde');
    expect((await readFile(join(out, 'usr/bin/empty'))).length).toBe(0);
    expect(await readlink(join(out, 'usr/bin/motd-link'))).toBe('../../etc/motd');
    expect(await readlink(join(out, 'etc/ssh-link'))).toBe('ssh');
  });

  it('uses paths relative to the directory when no prefix is given', async () => {
    const src = join(work, 'src');
    await mkdir(join(src, 'a'), { recursive: true });
    await writeFile(join(src, 'a/b'), 'x');
    expect((await cpioEntriesFromDir(src)).map((e) => e.path)).toEqual(['a', 'a/b']);
  });

  it('lists the archive the way GNU cpio sees it', async () => {
    const { stdout } = await execa('cpio', ['-t', '--quiet'], { input: cpioArchive(sample) });
    expect(stdout.split('\n')).toEqual(
      parseNewc(cpioArchive(sample))
        .slice(0, -1)
        .map((r) => r.name),
    );
  });
});
