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
const config = (podNetwork?: string, multus?: 'thin' | 'thick') => ({ ...DEFAULTS, podNetwork, multus });
const names = (added: ReturnType<typeof providersToAdd>) => added.map((a) => a.overlay);

describe('providersToAdd', () => {
  it('adds the chosen provider when a need is not met, and nothing when it is', () => {
    expect(names(providersToAdd([k8s], config('flannel')))).toEqual(['flannel']);
    expect(providersToAdd([k8s, flannel], config('flannel'))).toEqual([]);
    expect(providersToAdd([k8s, flannel], config())).toEqual([]);
    expect(providersToAdd([overlay('multinet')], config())).toEqual([]);
  });

  it('names the multus overlay after the mode: thin is multus-thin, thick multus-thick', () => {
    const multus = overlay('multus', { needs: ['pod-network', 'multus'] });
    expect(providersToAdd([multus], config('flannel', 'thick'))).toEqual([
      { capability: 'pod-network', chosen: 'flannel', overlay: 'flannel' },
      { capability: 'multus', chosen: 'thick', overlay: 'multus-thick' },
    ]);
    const thin = overlay('multus-thin', { provides: ['multus'] });
    expect(() => providersToAdd([multus, flannel, thin], config(undefined, 'thick'))).toThrow(
      /two multus providers at once: --multus thick and overlay multus-thin/,
    );
  });

  it('refuses two pod networks, naming both', () => {
    expect(() => providersToAdd([k8s, flannel, xcluster], config())).toThrow(
      /two pod-network providers at once: flannel and xcluster-cni/,
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
  const resolved = async (layers: Parameters<typeof resolveLab>[0]) => {
    const lab = await resolveLab(layers);
    return { overlays: lab.overlays.map((o) => o.manifest.name), config: lab.config };
  };

  it('gives multus the default pod network (xcluster-cni) and thin multus, implied as a dependency is', async () => {
    const lab = await resolved([{ overlays: ['multus'] }]);
    expect(lab.overlays).toContain('xcluster-cni');
    expect(lab.overlays).toContain('multus-thin');
    expect(lab.overlays).not.toContain('flannel');
    expect(lab.overlays).not.toContain('multus-thick');
    expect(lab.config.overlays).toEqual(['multus']);
  });

  it('swaps in flannel with --pod-network, and lists the choice in the overlays', async () => {
    const lab = await resolved([{ overlays: ['multus'], podNetwork: 'flannel' }]);
    expect(lab.overlays).toContain('flannel');
    expect(lab.overlays).not.toContain('xcluster-cni');
    expect(lab.config.overlays).toEqual(['multus', 'flannel']);
    expect(lab.overlays).toContain('multus-thin');
    // The provider's layer lies above k8s, whose units it runs after.
    expect(lab.overlays.indexOf('flannel')).toBeGreaterThan(lab.overlays.indexOf('k8s'));
  });

  it('runs multus thick on flannel, both choices in the overlays (and the snapshot name)', async () => {
    const lab = await resolved([{ overlays: ['multus'], podNetwork: 'flannel', multus: 'thick' }]);
    expect(lab.overlays).toContain('multus-thick');
    expect(lab.overlays).not.toContain('multus-thin');
    expect(lab.config.overlays).toEqual(['multus', 'flannel', 'multus-thick']);
  });

  it('refuses a choice that provides no pod network, and two at once', async () => {
    await expect(resolveLab([{ overlays: ['multus'], podNetwork: 'coredns' }])).rejects.toThrow(
      /--pod-network coredns: overlay coredns provides no pod-network/,
    );
    await expect(resolveLab([{ overlays: ['multus'], podNetwork: 'calico' }])).rejects.toMatchObject({
      message: '--pod-network calico: there is no overlay calico',
      hint: expect.stringMatching(/pod-network providers here: addon, flannel, xcluster-cni/),
    });
    await expect(resolveLab([{ overlays: ['multus', 'xcluster-cni', 'flannel'] }])).rejects.toThrow(
      /two pod-network providers at once/,
    );
    await expect(resolveLab([{ overlays: ['multinet'], podNetwork: 'flannel' }])).rejects.toThrow(
      /no overlay of this lab needs a pod-network/,
    );
  });
});
