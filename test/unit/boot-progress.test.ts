// lab start's boot lines: a unit ready or failed gets a line; the heartbeat names what the boot
// still waits for, longest first.
import { describe, expect, it } from 'vitest';
import { BootProgress } from '../../lab/lifecycle/boot-progress.js';

describe('BootProgress', () => {
  it('gives a line for ready, failed and restarting units, none for starting or other events', () => {
    let now = 1_000;
    const p = new BootProgress(0, () => now);
    expect(p.onEvent('vm-001', { ts: 1200, event: 'unit', unit: 'etcd', state: 'starting' })).toBeUndefined();
    expect(p.onEvent('vm-001', { ts: 1300, event: 'init' })).toBeUndefined();
    now = 5_000;
    expect(
      p.onEvent('vm-001', { ts: 152_400, event: 'unit', unit: 'kube-apiserver', state: 'ready', ms: 3 }),
    ).toBe('vm-001 kube-apiserver ready (152 s after kernel start)');
    expect(
      p.onEvent('vm-002', {
        ts: 9_000,
        event: 'unit',
        unit: 'kubelet',
        state: 'failed',
        detail: 'exit status 1',
      }),
    ).toBe('vm-002 kubelet failed (9 s after kernel start): exit status 1');
    expect(p.onEvent('vm-002', { ts: 9_500, event: 'unit', unit: 'kubelet', state: 'restarting' })).toBe(
      'vm-002 kubelet restarting (10 s after kernel start)',
    );
  });

  it('the heartbeat names the starting units, longest waiting first, and drops them once ready', () => {
    let now = 0;
    const p = new BootProgress(0, () => now);
    expect(p.waitingLine()).toBe("booting, 0 s: waiting for the guests' first events");
    now = 10_000;
    p.onEvent('vm-002', { ts: 1, event: 'unit', unit: 'kubelet', state: 'starting' });
    now = 20_000;
    p.onEvent('vm-001', { ts: 1, event: 'unit', unit: 'etcd', state: 'starting' });
    p.onEvent('vm-001', { ts: 1, event: 'unit', unit: 'net', state: 'starting' });
    p.onEvent('vm-001', { ts: 2, event: 'unit', unit: 'net', state: 'ready' });
    now = 60_000;
    expect(p.waitingLine()).toBe('booting, 60 s: waiting for vm-002 kubelet (50 s), vm-001 etcd (40 s)');
  });

  it('shows at most four waiting units and counts the rest', () => {
    const p = new BootProgress(0, () => 0);
    for (const unit of ['a', 'b', 'c', 'd', 'e', 'f'])
      p.onEvent('vm-001', { ts: 0, event: 'unit', unit, state: 'starting' });
    expect(p.waitingLine()).toMatch(/waiting for vm-001 a \(0 s\), vm-001 b .*vm-001 d \(0 s\) and 2 more$/);
  });
});
