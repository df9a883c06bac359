// The snapshot store on a real directory: only whole snapshots look usable, a damaged one says
// why, modes keep secrets private, and versions in use survive a newer save or a removal.
import { lstat, mkdir, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SNAPSHOT_FORMAT, type SnapshotKey } from '../../lab/snapshot/key.js';
import {
  autoSnapshotName,
  beginSave,
  checkSnapshotName,
  commitSave,
  labsUsing,
  listSnapshotNames,
  markUnusable,
  pruneSnapshots,
  readSnapshot,
  removeSnapshot,
  type SnapshotManifest,
  snapshotDir,
  snapshotsRoot,
  snapshotVmPaths,
} from '../../lab/snapshot/store.js';
import { UsageError } from '../../lab/util/errors.js';
import { labStateFixture } from '../support/lab-state.js';

let root = '';
const saved = process.env.LAB_STATE;

beforeEach(async () => {
  root = join(tmpdir(), `lab-snapshot-store-${process.pid}-${Date.now()}`);
  process.env.LAB_STATE = root;
});
afterEach(async () => {
  process.env.LAB_STATE = saved;
  await rm(root, { recursive: true, force: true });
});

const key = { format: SNAPSHOT_FORMAT, plan: { nodes: [], nets: [] } } as unknown as SnapshotKey;

/** A save as lab does it: files into the temporary dir, then the commit. */
async function save(name: string, content = 'state'): Promise<string> {
  const tmp = await beginSave(name);
  const paths = snapshotVmPaths(tmp, 'vm-001');
  await mkdir(join(tmp, 'vms', 'vm-001'), { recursive: true });
  await writeFile(paths.state, content);
  await writeFile(paths.disk, 'disk');
  await writeFile(paths.initrd, 'initrd');
  await mkdir(join(tmp, 'lab', 'ssh'), { recursive: true });
  await writeFile(join(tmp, 'lab', 'ssh', 'id_ed25519'), 'secret', { mode: 0o644 });
  const manifest = {
    format: SNAPSHOT_FORMAT,
    name,
    savedAt: new Date().toISOString(),
    savedFrom: 'a',
    saveMs: 1,
    key: {
      ...key,
      qemu: 'q',
      machine: 'm',
      accel: { accel: 'tcg', cpu: 'c' },
      kernel: 'k',
      initramfs: 'i',
      layers: [],
      overlays: [],
    },
    config: { overlays: ['multinet'] },
    vms: [{ name: 'vm-001', stateBytes: content.length, diskBytes: 4 }],
  } as SnapshotManifest;
  return commitSave(tmp, manifest);
}

/** A lab state file that says the lab runs on `dir`. */
async function labOn(lab: string, name: string, dir: string): Promise<void> {
  await mkdir(join(root, 'labs', lab), { recursive: true });
  const state = labStateFixture(lab, join(root, 'labs', lab), {
    phase: 'running',
    snapshot: { name, dir, savedAt: '', restoredAt: '' },
  });
  await writeFile(join(root, 'labs', lab, 'state.json'), JSON.stringify(state));
}

describe('snapshot store', () => {
  it('a committed save is usable, private, and listed by name', async () => {
    const version = await save('multus');
    const found = await readSnapshot('multus');
    expect(found).toMatchObject({ found: true, usable: true, dir: version });
    expect(await listSnapshotNames()).toEqual(['multus']);
    expect((await stat(snapshotsRoot())).mode & 0o777).toBe(0o700);
    expect((await stat(version)).mode & 0o777).toBe(0o700);
    expect((await stat(join(version, 'lab', 'ssh', 'id_ed25519'))).mode & 0o777).toBe(0o600);
    expect((await stat(snapshotVmPaths(version, 'vm-001').state)).mode & 0o777).toBe(0o600);
    expect((await lstat(snapshotDir('multus'))).isSymbolicLink()).toBe(true);
  });

  it('an unfinished save (killed before the commit) is not a snapshot, and is pruned once its process is gone', async () => {
    const tmp = await beginSave('multus');
    expect(await readSnapshot('multus')).toEqual({ found: false });
    expect(await listSnapshotNames()).toEqual([]);
    const dead = tmp.replace(/\.tmp-\d+$/, '.tmp-999999999');
    await mkdir(dead);
    await pruneSnapshots();
    expect(await readdir(snapshotsRoot())).toEqual([tmp.split('/').pop()]); // ours stays: we are alive
  });

  it('a truncated state file, a missing disk or a broken manifest make it unusable, with the reason', async () => {
    const version = await save('a', 'some state');
    await truncate(snapshotVmPaths(version, 'vm-001').state, 3);
    expect(await readSnapshot('a')).toMatchObject({
      usable: false,
      why: expect.stringMatching(/has 3 bytes, 10 were saved/),
    });

    const b = await save('b');
    await rm(snapshotVmPaths(b, 'vm-001').disk);
    expect(await readSnapshot('b')).toMatchObject({
      usable: false,
      why: expect.stringMatching(/disk\.qcow2 is missing$/),
    });

    const c = await save('c');
    await writeFile(join(c, 'snapshot.json'), '{"format": 1, "name": ');
    expect(await readSnapshot('c')).toMatchObject({ usable: false, why: 'its snapshot.json is not JSON' });
    await writeFile(join(c, 'snapshot.json'), '{"format": 999}');
    expect(await readSnapshot('c')).toMatchObject({
      usable: false,
      why: expect.stringMatching(/format 999/),
    });
    await writeFile(join(c, 'snapshot.json'), `{"format": ${SNAPSHOT_FORMAT}, "name": 3}`);
    expect(await readSnapshot('c')).toMatchObject({ usable: false, why: expect.stringMatching(/malformed/) });
  });

  it('a version marked unusable stays so until the next save', async () => {
    const version = await save('multus');
    await markUnusable(version, 'QEMU refused the stream');
    expect(await readSnapshot('multus')).toMatchObject({
      usable: false,
      why: 'a restore failed before: QEMU refused the stream',
    });
    await save('multus');
    expect(await readSnapshot('multus')).toMatchObject({ usable: true });
  });

  it('a newer save replaces the name; the old version stays while a lab runs on it', async () => {
    const first = await save('multus', 'one');
    await labOn('x', 'multus', first);
    const second = await save('multus', 'two');
    expect(second).not.toBe(first);
    expect((await readSnapshot('multus')).found && (await readSnapshot('multus'))).toMatchObject({
      dir: second,
    });
    expect((await stat(first)).isDirectory()).toBe(true);
    expect(await labsUsing('multus')).toEqual(['x']);
    await rm(join(root, 'labs', 'x'), { recursive: true });
    await pruneSnapshots();
    await expect(stat(first)).rejects.toThrow();
    expect((await stat(second)).isDirectory()).toBe(true);
  });

  it('rm removes the name at once and the files once no lab uses them', async () => {
    const version = await save('multus');
    await labOn('x', 'multus', version);
    expect(await removeSnapshot('multus')).toEqual(['x']);
    expect(await listSnapshotNames()).toEqual([]);
    expect((await stat(version)).isDirectory()).toBe(true);
    await rm(join(root, 'labs', 'x'), { recursive: true });
    await pruneSnapshots();
    expect(await readdir(snapshotsRoot())).toEqual([]);
  });

  it('names: from the overlays; a path-like name is refused', () => {
    expect(autoSnapshotName(['xcluster-cni', 'private-reg'])).toBe('xcluster-cni+private-reg');
    expect(checkSnapshotName('multus')).toBe('multus');
    for (const bad of ['../x', '.hidden', 'a/b', 'A', '', 'x'.repeat(65), 'a..b'])
      expect(() => checkSnapshotName(bad), bad).toThrow(UsageError);
  });
});
