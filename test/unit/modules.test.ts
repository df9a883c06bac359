import { describe, expect, it } from 'vitest';
import { moduleClosure, moduleName, parseBuiltin, parseModulesDep } from '../../lab/image/modules.js';

const dep = parseModulesDep(
  [
    'kernel/drivers/net/macvlan.ko.xz:',
    'kernel/drivers/net/ipvlan/ipvlan.ko.xz:',
    'kernel/net/bridge/br_netfilter.ko.xz: kernel/net/bridge/bridge.ko.xz kernel/net/802/stp.ko.xz kernel/net/llc/llc.ko.xz',
    'kernel/net/bridge/bridge.ko.xz: kernel/net/802/stp.ko.xz kernel/net/llc/llc.ko.xz',
    'kernel/net/802/stp.ko.xz: kernel/net/llc/llc.ko.xz',
    'kernel/net/llc/llc.ko.xz:',
    'kernel/drivers/char/hw_random/virtio-rng.ko.xz:',
    '',
  ].join('\n'),
);

describe('kernel module selection', () => {
  it('normalises names like modprobe', () => {
    expect(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko.xz')).toBe('virtio_rng');
    expect(moduleName('kernel/fs/ext4/ext4.ko')).toBe('ext4');
  });

  it('adds transitive dependencies once, sorted', () => {
    expect(moduleClosure(['br_netfilter', 'bridge'], dep, new Set())).toEqual([
      'kernel/net/802/stp.ko.xz',
      'kernel/net/bridge/br_netfilter.ko.xz',
      'kernel/net/bridge/bridge.ko.xz',
      'kernel/net/llc/llc.ko.xz',
    ]);
  });

  it('accepts dashes for underscores and skips built-ins', () => {
    expect(moduleClosure(['virtio-rng', 'ext4'], dep, parseBuiltin('kernel/fs/ext4/ext4.ko\n'))).toEqual([
      'kernel/drivers/char/hw_random/virtio-rng.ko.xz',
    ]);
  });

  it('names a module that does not exist', () => {
    expect(() => moduleClosure(['macvlan', 'nosuch'], dep, new Set())).toThrow(
      'kernel module nosuch is neither a module nor built in',
    );
  });
});
