// What a saved lab depends on. A snapshot is used only when every part is the same as for a
// cold start now; otherwise the first part that differs says why lab boots cold instead.
// Pure: the same inputs give the same key (unit-tested).
import type { LabPlan } from '../topology/plan.js';
import { sha256 } from '../util/hash.js';

/** Bump when the snapshot's files or what a restore expects of them change. */
export const SNAPSHOT_FORMAT = 1;

export interface SnapshotKey {
  format: number;
  qemu: string;
  machine: string;
  accel: { accel: 'kvm' | 'tcg'; cpu: string };
  kernel: string;
  initramfs: string;
  /** Layer name → its cache key, bottom first. */
  layers: Array<{ name: string; key: string }>;
  overlays: string[];
  /** The plan without the lab's name: labs of any name can share one snapshot. */
  plan: Omit<LabPlan, 'name' | 'netns'>;
}

export function planForKey(plan: LabPlan): SnapshotKey['plan'] {
  const { name: _name, netns: _netns, ...rest } = plan;
  return rest;
}

export function keyDigest(key: SnapshotKey): string {
  return sha256(JSON.stringify(key));
}

const json = (value: unknown) => JSON.stringify(value);

/** Why `saved` does not fit `now` (the first difference, in words), or undefined when it does. */
export function keyDifference(saved: SnapshotKey, now: SnapshotKey): string | undefined {
  if (saved.format !== now.format) return `snapshot format ${saved.format} is not ${now.format}`;
  if (saved.qemu !== now.qemu) return `QEMU changed (${saved.qemu} → ${now.qemu})`;
  if (saved.machine !== now.machine) return `machine type changed (${saved.machine} → ${now.machine})`;
  if (saved.accel.accel !== now.accel.accel)
    return `accelerator changed (${saved.accel.accel} → ${now.accel.accel}): a saved state loads only under the accelerator that saved it`;
  if (saved.accel.cpu !== now.accel.cpu) return `CPU model changed (${saved.accel.cpu} → ${now.accel.cpu})`;
  if (json(saved.overlays) !== json(now.overlays))
    return `overlays changed (${saved.overlays.join(' ')} → ${now.overlays.join(' ')})`;
  if (saved.kernel !== now.kernel) return 'the kernel changed';
  if (saved.initramfs !== now.initramfs) return 'the initramfs (stage 1 or lab-init) changed';
  for (const layer of now.layers) {
    const before = saved.layers.find((l) => l.name === layer.name);
    if (!before) return `layer ${layer.name} is new`;
    if (before.key !== layer.key)
      return layer.name === 'rootfs' || layer.name === 'modules'
        ? `the ${layer.name} layer changed`
        : `overlay ${layer.name} changed`;
  }
  if (saved.layers.length !== now.layers.length) return 'the layer stack changed';
  return planDifference(saved.plan, now.plan);
}

function planDifference(saved: SnapshotKey['plan'], now: SnapshotKey['plan']): string | undefined {
  if (saved.nodes.length !== now.nodes.length)
    return `the number of VMs changed (${saved.nodes.length} → ${now.nodes.length})`;
  for (const [i, node] of now.nodes.entries()) {
    const before = saved.nodes[i];
    if (!before) continue;
    if (before.mem !== node.mem) return `${node.name} memory changed (${before.mem} → ${node.mem} MiB)`;
    if (before.smp !== node.smp) return `${node.name} CPUs changed (${before.smp} → ${node.smp})`;
    if (json(before.nics) !== json(node.nics)) return `${node.name} NICs changed`;
  }
  if (json(saved.nets) !== json(now.nets)) return 'the nets changed';
  return json(saved) === json(now) ? undefined : 'the topology changed';
}
