import { describe, expect, it } from 'vitest';
import {
  keyDifference,
  keyDigest,
  planForKey,
  SNAPSHOT_FORMAT,
  type SnapshotKey,
} from '../../lab/snapshot/key.js';
import { mergeConfig } from '../../lab/topology/config.js';
import { planLab } from '../../lab/topology/plan.js';
import { versionedQ35 } from '../../lab/vm/qemu-info.js';

function key(change: Partial<SnapshotKey> = {}, config = {}): SnapshotKey {
  return {
    format: SNAPSHOT_FORMAT,
    qemu: 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)',
    machine: 'pc-q35-7.2',
    accel: { accel: 'tcg', cpu: 'Nehalem' },
    kernel: 'k1',
    initramfs: 'i1',
    layers: [
      { name: 'rootfs', key: 'r1' },
      { name: 'modules', key: 'm1' },
      { name: 'k8s', key: 'k1' },
    ],
    overlays: ['base', 'multinet', 'k8s'],
    plan: planForKey(planLab(mergeConfig([{ name: 'a', nvm: 2, mem: 2048, ...config }]))),
    ...change,
  };
}

describe('snapshot key', () => {
  it('is the same for labs of any name', () => {
    const a = planForKey(planLab(mergeConfig([{ name: 'a', nvm: 2 }])));
    const b = planForKey(planLab(mergeConfig([{ name: 'b', nvm: 2 }])));
    expect(a).toEqual(b);
    expect(keyDigest(key())).toBe(keyDigest(key()));
    expect(keyDifference(key(), key())).toBeUndefined();
  });

  it('names the first thing that changed', () => {
    const saved = key();
    expect(keyDifference(saved, key({}, { mem: 4096 }))).toBe('vm-001 memory changed (2048 → 4096 MiB)');
    expect(keyDifference(saved, key({}, { smp: 1 }))).toBe('vm-001 CPUs changed (2 → 1)');
    expect(keyDifference(saved, key({}, { nvm: 3 }))).toBe('the number of VMs changed (2 → 3)');
    expect(keyDifference(saved, key({}, { netsVm: [0, 1, 3] }))).toBe('vm-001 NICs changed');
    expect(keyDifference(saved, key({ accel: { accel: 'kvm', cpu: 'host' } }))).toMatch(
      /^accelerator changed \(tcg → kvm\): a saved state loads only under the accelerator that saved it$/,
    );
    expect(keyDifference(saved, key({ accel: { accel: 'tcg', cpu: 'max' } }))).toBe(
      'CPU model changed (Nehalem → max)',
    );
    expect(keyDifference(saved, key({ machine: 'pc-q35-8.2' }))).toBe(
      'machine type changed (pc-q35-7.2 → pc-q35-8.2)',
    );
    expect(keyDifference(saved, key({ qemu: 'QEMU emulator version 8.2.0' }))).toMatch(/^QEMU changed/);
    expect(keyDifference(saved, key({ format: SNAPSHOT_FORMAT + 1 }))).toMatch(/^snapshot format/);
    expect(keyDifference(saved, key({ kernel: 'k2' }))).toBe('the kernel changed');
    expect(keyDifference(saved, key({ initramfs: 'i2' }))).toBe(
      'the initramfs (stage 1 or lab-init) changed',
    );
    const k8sChanged = key({ layers: saved.layers.map((l) => (l.name === 'k8s' ? { ...l, key: 'k2' } : l)) });
    expect(keyDifference(saved, k8sChanged)).toBe('overlay k8s changed');
    const rootfsChanged = key({
      layers: saved.layers.map((l) => (l.name === 'rootfs' ? { ...l, key: 'r2' } : l)),
    });
    expect(keyDifference(saved, rootfsChanged)).toBe('the rootfs layer changed');
    expect(keyDifference(saved, key({ overlays: ['base', 'multinet'] }))).toMatch(/^overlays changed/);
  });
});

describe('versionedQ35', () => {
  it('finds the versioned machine type behind the q35 alias', () => {
    const help = [
      'Supported machines are:',
      'microvm              microvm (i386)',
      'pc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-7.2)',
      'q35                  Standard PC (Q35 + ICH9, 2009) (alias of pc-q35-7.2)',
      'pc-q35-7.2           Standard PC (Q35 + ICH9, 2009)',
    ].join('\n');
    expect(versionedQ35(help)).toBe('pc-q35-7.2');
    expect(versionedQ35('q35   Standard PC (Q35 + ICH9, 2009)')).toBe('q35');
  });
});
