// The pure parts of what a restored lab does: the guest clock command, the k8s readiness rule.
import { describe, expect, it } from 'vitest';
import { setClockCommand } from '../../lab/lifecycle/clock.js';
import { microTime, notReady } from '../../overlays/k8s/restore.js';

describe('setClockCommand', () => {
  it('sleeps until the second it sets, and reports the clock it found', () => {
    expect(setClockCommand(1796397500, 812)).toBe(
      'before=$(date +%s); sleep 0.812; date -u -s @1796397500 >/dev/null && echo "$before"',
    );
    expect(setClockCommand(1796397500, -5)).toContain('sleep 0.000;');
  });
});

describe('k8s after a restore', () => {
  it('writes lease times as metav1.MicroTime (six fractional digits)', () => {
    expect(microTime(new Date('2026-12-04T15:14:34.123Z'))).toBe('2026-12-04T15:14:34.123000Z');
  });

  const node = (name: string, ready: string, taints: string[] = []) => ({
    metadata: { name },
    spec: { taints: taints.map((key) => ({ key })) },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: ready },
      ],
    },
  });

  it('waits for nodes that are not Ready or still tainted unreachable', () => {
    expect(notReady({ items: [node('vm-001', 'True'), node('vm-002', 'True')] })).toEqual([]);
    expect(notReady({ items: [node('vm-001', 'Unknown'), node('vm-002', 'True')] })).toEqual(['vm-001']);
    expect(
      notReady({
        items: [node('vm-001', 'True', ['node.kubernetes.io/unreachable']), node('vm-002', 'True')],
      }),
    ).toEqual(['vm-001']);
    expect(notReady({ items: [node('vm-001', 'True', ['node-role.kubernetes.io/control-plane'])] })).toEqual(
      [],
    );
    expect(notReady({ items: [{ metadata: { name: 'vm-003' }, spec: {}, status: {} }] })).toEqual(['vm-003']);
  });
});

describe('multus after a restore', () => {
  it('restarts pod-cache, waits for the old one to be gone, then for the new one to sync', async () => {
    const { restartPodCacheCommand } = await import('../../overlays/multus-thin/restore.js');
    const command = restartPodCacheCommand(120);
    const order = [
      'kill "$pid"',
      'kill -0 "$pid"',
      'end=$(( $(date +%s) + 120 ))',
      'http://127.0.0.1:8001/lab/synced',
    ];
    const at = order.map((part) => command.indexOf(part));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
