// Warm start on real VMs: a lab is saved, stopped and restored (twice side by side); the
// restored VMs have their files, planned addresses and the host's time; a changed input and
// damaged snapshots are refused or fall back to a cold boot, with nothing left half up.
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { LAB_STATE, lab, labDirOf, netnsList, qemuProcesses } from './helpers.js';

const LABS = ['snap-a', 'snap-b', 'snap-b2', 'snap-c', 'snap-d', 'snap-e', 'snap-f', 'snap-g'];
const SNAPSHOT = 'snaptest';

afterAll(async () => {
  for (const name of LABS) await lab(['clean', '--name', name]);
  await lab(['snapshot', 'rm', SNAPSHOT]);
});

interface Nic {
  name: string;
  ipv4?: string;
  ipv6?: string;
}

async function nicsOf(name: string): Promise<Record<string, Nic[]>> {
  const status = await lab(['status', '--json', '--name', name]);
  expect(status.exitCode, status.all).toBe(0);
  const parsed = JSON.parse(status.stdout) as { vms: Array<{ name: string; nics: Nic[] }> };
  return Object.fromEntries(parsed.vms.map((vm) => [vm.name, vm.nics]));
}

/** Every planned address is on its NIC in the guest. */
async function expectPlannedAddresses(name: string): Promise<void> {
  for (const [vm, nics] of Object.entries(await nicsOf(name))) {
    const addr = await lab(['ssh', '--name', name, vm, 'ip', '-o', 'addr']);
    expect(addr.exitCode, addr.all).toBe(0);
    for (const nic of nics)
      for (const address of [nic.ipv4, nic.ipv6].filter(Boolean))
        expect(addr.stdout, `${vm} ${nic.name} ${address}`).toMatch(
          new RegExp(`^\\d+: ${nic.name}\\s+inet6? ${address?.replaceAll('.', '\\.')} `, 'm'),
        );
  }
}

/** The guest's clock, read over SSH, is within `slackS` of the host's. */
async function expectClockClose(name: string, vm: string, slackS = 2): Promise<void> {
  const before = Date.now() / 1000;
  const date = await lab(['ssh', '--name', name, vm, 'date', '+%s']);
  const after = Date.now() / 1000;
  expect(date.exitCode, date.all).toBe(0);
  const guest = Number(date.stdout.trim());
  expect(guest).toBeGreaterThanOrEqual(Math.floor(before) - slackS);
  expect(guest).toBeLessThanOrEqual(Math.ceil(after) + slackS);
}

function snapshotVersionDir(): string {
  const list = JSON.parse(readFileSync(join(LAB_STATE, 'labs', 'snap-b', 'state.json'), 'utf8')) as {
    snapshot: { dir: string };
  };
  return list.snapshot.dir;
}

describe('lab snapshot save, then lab start --restore', () => {
  let marker = '';

  it('saves a running lab, which runs on with the right time', async () => {
    const start = await lab(['start', '--name', 'snap-a', '--no-snapshot']);
    expect(start.exitCode, start.all).toBe(0);
    expect(start.all).not.toMatch(/save snapshot/);
    // Secrets stay the owner's: the lab dirs 0700, the per-node initrd (keys inside) 0600.
    expect(statSync(join(LAB_STATE, 'labs')).mode & 0o777).toBe(0o700);
    expect(statSync(labDirOf('snap-a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(labDirOf('snap-a'), 'vms', 'vm-001', 'initrd.cpio.gz')).mode & 0o777).toBe(0o600);
    const write = await lab([
      'ssh',
      '--name',
      'snap-a',
      'vm-001',
      'echo "written $$ before the save" > /root/marker && cat /root/marker',
    ]);
    expect(write.exitCode, write.all).toBe(0);
    marker = write.stdout.trim();
    const save = await lab(['snapshot', 'save', SNAPSHOT, '--name', 'snap-a']);
    expect(save.exitCode, save.all).toBe(0);
    expect(save.all).toMatch(/snapshot snaptest saved \(\d+ MiB, VMs paused [\d.]+ s\)/);
    expect(save.all).toMatch(/restore it with: lab start --restore snaptest/);
    const list = await lab(['snapshot', 'list', '--json']);
    const rows = JSON.parse(list.stdout) as Array<{ name: string; usable: boolean; bytes: number }>;
    const row = rows.find((r) => r.name === SNAPSHOT);
    expect(row, JSON.stringify(row)).toMatchObject({ usable: true });
    await expectClockClose('snap-a', 'vm-002');
    const stop = await lab(['stop', '--name', 'snap-a']);
    expect(stop.exitCode, stop.all).toBe(0);
  });

  it('restores it: SSH, planned addresses, the file written before the save, the host time', async () => {
    const start = await lab(['start', '--restore', SNAPSHOT, '--name', 'snap-b']);
    expect(start.exitCode, start.all).toBe(0);
    expect(start.all).toMatch(/restore snapshot snaptest \(saved .* ago\)/);
    expect(start.all).not.toMatch(/boot 2 VM/);
    const read = await lab(['ssh', '--name', 'snap-b', 'vm-001', 'cat', '/root/marker']);
    expect(read.stdout.trim()).toBe(marker);
    await expectPlannedAddresses('snap-b');
    await expectClockClose('snap-b', 'vm-001');
    await expectClockClose('snap-b', 'vm-002');
    // The serial console goes on from the saved one: a failure's evidence shows the boot too.
    expect(readFileSync(join(labDirOf('snap-b'), 'vms', 'vm-001', 'console.log'), 'utf8')).toContain(
      'lab-init',
    );
    const status = await lab(['status', '--name', 'snap-b']);
    expect(status.stdout).toMatch(/^restored from snapshot snaptest \(saved .* ago, restored .* ago\)$/m);
    expect(status.stdout).toMatch(/^vm-001 {2}ready/m);
  });

  it('restores a second lab from the same snapshot beside the first', async () => {
    const start = await lab(['start', '--restore', SNAPSHOT, '--name', 'snap-b2']);
    expect(start.exitCode, start.all).toBe(0);
    for (const name of ['snap-b', 'snap-b2']) {
      const ping = await lab(['ssh', '--name', name, 'vm-002', 'ping', '-c', '1', '-W', '5', '192.168.1.1']);
      expect(ping.exitCode, ping.all).toBe(0);
    }
    const list = JSON.parse((await lab(['snapshot', 'list', '--json'])).stdout) as Array<{
      name: string;
      usedBy: string[];
    }>;
    expect(list.find((r) => r.name === SNAPSHOT)?.usedBy.sort()).toEqual(['snap-b', 'snap-b2']);
  });

  it('a restored lab saved again rests on nothing of the snapshot it came from', async () => {
    const write = await lab(['ssh', '--name', 'snap-b', 'vm-001', 'echo second > /root/second']);
    expect(write.exitCode, write.all).toBe(0);
    const save = await lab(['snapshot', 'save', 'snaptest2', '--name', 'snap-b']);
    expect(save.exitCode, save.all).toBe(0);
    const version = JSON.parse(
      readFileSync(join(LAB_STATE, 'snapshots', 'snaptest2', 'snapshot.json'), 'utf8'),
    ) as { name: string };
    expect(version.name).toBe('snaptest2');
    const info = await execa('qemu-img', [
      'info',
      '--output=json',
      join(LAB_STATE, 'snapshots', 'snaptest2', 'vms', 'vm-001', 'disk.qcow2'),
    ]);
    expect(JSON.parse(info.stdout)['backing-filename']).toMatch(/scratch\.ext4$/);
  });

  it('refuses a changed input by the key, naming what changed, and creates nothing', async () => {
    const start = await lab(['start', '--restore', SNAPSHOT, '--name', 'snap-c', '--mem', '320']);
    expect(start.exitCode, start.all).toBe(2);
    expect(start.all).toMatch(/snapshot snaptest cannot be used: vm-001 memory changed \(256 → 320 MiB\)/);
    expect(netnsList()).not.toContain('lab-snap-c');
    expect(qemuProcesses(labDirOf('snap-c'))).toEqual([]);
  });

  it('a truncated state file is refused before anything starts', async () => {
    const version = snapshotVersionDir();
    for (const name of ['snap-b', 'snap-b2']) expect((await lab(['stop', '--name', name])).exitCode).toBe(0);
    const state = join(version, 'vms', 'vm-002', 'state.zst');
    truncateSync(state, 1000);
    const start = await lab(['start', '--restore', SNAPSHOT, '--name', 'snap-d']);
    expect(start.exitCode, start.all).toBe(2);
    expect(start.all).toMatch(
      /snapshot snaptest cannot be used: .*state\.zst has 1000 bytes, \d+ were saved/,
    );
    expect(netnsList()).not.toContain('lab-snap-d');
  });
});

describe('a snapshot saved from a restored lab', () => {
  it('restores alone, with the files of both saves, after the first snapshot is gone', async () => {
    expect((await lab(['snapshot', 'rm', SNAPSHOT])).exitCode).toBe(0);
    const start = await lab(['start', '--restore', 'snaptest2', '--name', 'snap-g']);
    expect(start.exitCode, start.all).toBe(0);
    const read = await lab(['ssh', '--name', 'snap-g', 'vm-001', 'cat /root/marker /root/second']);
    expect(read.exitCode, read.all).toBe(0);
    expect(read.stdout).toMatch(/written .* before the save\nsecond/);
    expect((await lab(['stop', '--name', 'snap-g'])).exitCode).toBe(0);
    expect((await lab(['snapshot', 'rm', 'snaptest2'])).exitCode).toBe(0);
  });
});

describe('lab start with a damaged snapshot of its own', () => {
  it('says why, marks it unusable, boots cold, and leaves no QEMU of the failed restore', async () => {
    const first = await lab(['start', '--name', 'snap-e', '--nvm', '1']);
    expect(first.exitCode, first.all).toBe(0);
    expect(first.all).toMatch(/save snapshot multinet/);
    const version = JSON.parse((await lab(['snapshot', 'list', '--json'])).stdout) as Array<{ name: string }>;
    expect(version.map((r) => r.name)).toContain('multinet');
    expect((await lab(['stop', '--name', 'snap-e'])).exitCode).toBe(0);
    // Same size, wrong bytes: only QEMU can tell, and it must refuse it without hanging.
    const dir = join(LAB_STATE, 'snapshots', 'multinet');
    const file = join(dir, 'vms', 'vm-001', 'state.zst');
    const size = readFileSync(file).length;
    writeFileSync(file, Buffer.alloc(size, 7));
    const second = await lab(['start', '--name', 'snap-e', '--nvm', '1'], { timeoutMs: 300_000 });
    expect(second.exitCode, second.all).toBe(0);
    expect(second.all).toMatch(
      /snapshot multinet: the restore failed, so it is marked unusable and lab boots cold: vm-001: /,
    );
    expect(second.all).toMatch(/boot 1 VM\(s\)/);
    expect(qemuProcesses(labDirOf('snap-e'))).toHaveLength(1);
    const ssh = await lab(['ssh', '--name', 'snap-e', 'vm-001', 'true']);
    expect(ssh.exitCode, ssh.all).toBe(0);
    // The cold boot saved a good snapshot again.
    expect(second.all).toMatch(/snapshot multinet saved/);
    expect((await lab(['stop', '--name', 'snap-e'])).exitCode).toBe(0);
  });
});

describe('a lab whose VMs are all gone', () => {
  it('is cleaned up and started again by lab start, with a line saying so', async () => {
    const first = await lab(['start', '--name', 'snap-f', '--nvm', '1']);
    expect(first.exitCode, first.all).toBe(0);
    for (const pid of qemuProcesses(labDirOf('snap-f'))) process.kill(pid, 'SIGKILL');
    const again = await lab(['start', '--name', 'snap-f', '--nvm', '1']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.all).toMatch(
      /lab "snap-f" was running, but all its VMs are gone \(their QEMUs exited\): cleaning it up and starting again/,
    );
    expect(qemuProcesses(labDirOf('snap-f'))).toHaveLength(1);
    expect((await lab(['stop', '--name', 'snap-f'])).exitCode).toBe(0);
  });
});
