// Seed 002 as written, shared by the scenarios that run it on a default network (multus on
// xcluster-cni, flannel): samplepod and samplepod2 on the NAD macvlan-conf ping over net1.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioContext, Step } from '../../lab/scenario/define.js';
import { expectEqual, expectTrue } from '../../lab/scenario/expect.js';
import { addressInRange } from '../../lab/scenario/netcheck.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';
import { applyManifests, deletePods, expectReaches, getPod, logReadyTimes, waitPodsReady } from './kube.js';

/** One entry of multus's k8s.v1.cni.cncf.io/network-status annotation. */
export interface NetworkStatus {
  name: string;
  interface?: string;
  ips?: string[];
  mac?: string;
  default?: boolean;
}

export async function networkStatus(ctx: ScenarioContext, pod: string): Promise<NetworkStatus[]> {
  const text = (await getPod(ctx, pod)).metadata.annotations?.['k8s.v1.cni.cncf.io/network-status'] ?? '';
  expectTrue(text.trim() !== '', `${pod} has a k8s.v1.cni.cncf.io/network-status annotation`);
  return JSON.parse(text) as NetworkStatus[];
}

export const seed002Step: Step = {
  name: 'seed 002: samplepod and samplepod2 on macvlan-conf ping each other over net1',
  timeoutMs: 480_000,
  run: async (ctx) => {
    const manifest = await readFile(join(PROJECT_ROOT, 'overlays/multus/examples/samplepods.yaml'), 'utf8');
    await applyManifests(ctx, manifest);
    // Gone at the step's end: the seed's pods on one node hold its macvlan range.
    try {
      logReadyTimes(ctx, await waitPodsReady(ctx, ['samplepod', 'samplepod2']));
      const net1 = async (pod: string) => {
        const entry = (await networkStatus(ctx, pod)).find((s) => s.name === `${ctx.namespace}/macvlan-conf`);
        expectEqual(entry?.interface, 'net1', `${pod}: macvlan-conf interface`);
        const ip = entry?.ips?.[0] ?? '';
        expectTrue(
          addressInRange(ip, { first: '192.168.1.200', last: '192.168.1.216' }),
          `${pod} net1 ${ip} in the seed's range`,
        );
        return ip;
      };
      const [one, two] = [await net1('samplepod'), await net1('samplepod2')];
      expectTrue(one !== two, `samplepod and samplepod2 have different net1 addresses (${one}, ${two})`);
      await expectReaches(ctx, 'samplepod2', [one]);
      await expectReaches(ctx, 'samplepod', [two]);
    } finally {
      await deletePods(ctx, { names: ['samplepod', 'samplepod2'] });
    }
  },
};
