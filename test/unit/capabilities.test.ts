// A lab's pod network is a choice: exactly one overlay provides it, the one the lab names or the
// overlays' default, and every mistake is a UsageError that says how to choose.
import { describe, expect, it } from 'vitest';
import { resolveLab } from '../../lab/lifecycle/resolve.js';
import { type CapabilityManifest, providersToAdd } from '../../lab/overlay/capabilities.js';
import { DEFAULTS } from '../../lab/topology/config.js';
import { UsageError } from '../../lab/util/errors.js';

const overlay = (name: string, more: Partial<CapabilityManifest> = {}): CapabilityManifest => ({
  name,
  provides: [],
  needs: [],
  ...more,
});
const k8s = overlay('k8s', { needs: ['pod-network'] });
const flannel = overlay('flannel', { provides: ['pod-network'] });
const xcluster = overlay('xcluster-cni', { provides: ['pod-network'] });
const config = (podNetwork?: string) => ({ ...DEFAULTS, podNetwork });

describe('providersToAdd', () => {
  it('adds the chosen provider when a need is not met, and nothing when it is', () => {
    expect(providersToAdd([k8s], config('flannel'))).toEqual(['flannel']);
    expect(providersToAdd([k8s, flannel], config('flannel'))).toEqual([]);
    expect(providersToAdd([k8s, flannel], config())).toEqual([]);
    expect(providersToAdd([overlay('multinet')], config())).toEqual([]);
  });

  it('refuses two pod networks, naming both', () => {
    expect(() => providersToAdd([k8s, flannel, xcluster], config())).toThrow(
      /two pod-networks at once: flannel and xcluster-cni/,
    );
    expect(() => providersToAdd([k8s, xcluster], config('flannel'))).toThrow(
      /--pod-network flannel and overlay xcluster-cni/,
    );
  });

  it('says how to choose when a need has no choice, and when a choice has no need', () => {
    expect(() => providersToAdd([k8s], config())).toThrow(
      /overlay k8s needs a pod-network and none is chosen/,
    );
    const error = (() => {
      try {
        providersToAdd([overlay('multinet')], config('flannel'));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(String((error as Error).message)).toMatch(
      /--pod-network flannel: no overlay of this lab needs a pod-network/,
    );
  });
});

describe('resolveLab with the real overlays', () => {
  const names = async (layers: Parameters<typeof resolveLab>[0]) => {
    const lab = await resolveLab(layers);
    return { overlays: lab.overlays.map((o) => o.manifest.name), config: lab.config };
  };

  it('gives multus the default pod network (xcluster-cni), implied as a dependency is', async () => {
    const lab = await names([{ overlays: ['multus'] }]);
    expect(lab.overlays).toContain('xcluster-cni');
    expect(lab.overlays).not.toContain('flannel');
    expect(lab.config.overlays).toEqual(['multus']);
  });

  it('swaps in flannel with --pod-network, and lists the choice in the overlays', async () => {
    const lab = await names([{ overlays: ['multus'], podNetwork: 'flannel' }]);
    expect(lab.overlays).toContain('flannel');
    expect(lab.overlays).not.toContain('xcluster-cni');
    expect(lab.config.overlays).toEqual(['multus', 'flannel']);
    // The provider's layer lies above k8s, whose units it runs after.
    expect(lab.overlays.indexOf('flannel')).toBeGreaterThan(lab.overlays.indexOf('k8s'));
  });

  it('refuses a choice that provides no pod network, and two at once', async () => {
    await expect(resolveLab([{ overlays: ['multus'], podNetwork: 'coredns' }])).rejects.toThrow(
      /--pod-network coredns: that overlay provides no pod-network/,
    );
    await expect(resolveLab([{ overlays: ['multus', 'xcluster-cni', 'flannel'] }])).rejects.toThrow(
      /two pod-networks at once/,
    );
    await expect(resolveLab([{ overlays: ['multinet'], podNetwork: 'flannel' }])).rejects.toThrow(
      /no overlay of this lab needs a pod-network/,
    );
  });
});
