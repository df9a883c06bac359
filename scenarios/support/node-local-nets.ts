// The secondary networks of seed 000 as overlays/cni and overlays/multus configure them,
// restated here so scenarios check them independently: net1 ipvlan on eth2, net2 macvlan
// (bridge mode) on eth3, net3 the node's own eth4 (host-device), each with node-local ranges.
import type { ScenarioContext } from '../../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectTrue } from '../../lab/scenario/expect.js';
import {
  type AddressRange,
  addressInRange,
  canonicalAddress,
  duplicates,
  type IpLinkDetail,
} from '../../lab/scenario/netcheck.js';
import type { NodePlan } from '../../lab/topology/plan.js';

export interface PodNet {
  ifname: string;
  /** The network's name: host-local's dataDir is /var/lib/cni/networks/<name>. */
  network: string;
  ranges: (node: number) => AddressRange[];
}

/** /etc/cni/node-local/<cfg>: 10.<net>.<node>.10-99 and the same embedded in IPv6. */
export const nodeLocalRanges = (net: number) => (node: number) => [
  { first: `10.${net}.${node}.10`, last: `10.${net}.${node}.99` },
  { first: `fd00:4c41:${net}::10.${net}.${node}.10`, last: `fd00:4c41:${net}::10.${net}.${node}.99` },
];

export const SECONDARY_NETS: PodNet[] = [
  { ifname: 'net1', network: 'ipvlan', ranges: nodeLocalRanges(3) },
  { ifname: 'net2', network: 'macvlan', ranges: nodeLocalRanges(4) },
  { ifname: 'net3', network: 'host-device', ranges: nodeLocalRanges(5) },
];

export async function nodeLinks(ctx: ScenarioContext, vm: string): Promise<IpLinkDetail[]> {
  return JSON.parse(await ctx.sh(vm, 'ip -j -d link show')) as IpLinkDetail[];
}

/**
 * The pod has exactly lo, eth0, net1..net3: net1 ipvlan on the node's eth2, net2 macvlan
 * bridge on eth3, net3 the node's eth4 (gone from the node while the pod lives).
 */
export function expectPodLinks(node: NodePlan, pod: IpLinkDetail[], vm: IpLinkDetail[]): void {
  expectDeepEqual(
    pod.map((l) => l.ifname).sort(),
    ['eth0', 'lo', 'net1', 'net2', 'net3'],
    `${node.name} pod interfaces`,
  );
  const vmIndex = (name: string) => vm.find((l) => l.ifname === name)?.ifindex;
  const link = (name: string) => pod.find((l) => l.ifname === name);
  const net1 = link('net1');
  expectEqual(net1?.linkinfo?.info_kind, 'ipvlan', `${node.name} net1 kind`);
  expectEqual(net1?.link_index, vmIndex('eth2'), `${node.name} net1 sits on the node's eth2`);
  const net2 = link('net2');
  expectEqual(net2?.linkinfo?.info_kind, 'macvlan', `${node.name} net2 kind`);
  expectEqual(net2?.linkinfo?.info_data?.mode, 'bridge', `${node.name} net2 macvlan mode`);
  expectEqual(net2?.link_index, vmIndex('eth3'), `${node.name} net2 sits on the node's eth3`);
  const eth4 = node.nics.find((n) => n.name === 'eth4');
  expectEqual(link('net3')?.address, eth4?.mac, `${node.name} net3 is the node's eth4 (same MAC)`);
  expectEqual(vmIndex('eth4'), undefined, `${node.name} eth4 is gone from the node while the pod lives`);
}

/** Each net's addresses: one per family, each in the node's range. Returns them, canonical. */
export function expectAddressesInRanges(
  node: NodePlan,
  byIf: Map<string, string[]>,
  nets: readonly PodNet[],
): string[] {
  const all: string[] = [];
  for (const net of nets) {
    const addresses = byIf.get(net.ifname) ?? [];
    const ranges = net.ranges(node.id);
    expectEqual(addresses.length, ranges.length, `${node.name} pod ${net.ifname}: one address per family`);
    for (const range of ranges) {
      expectTrue(
        addresses.some((a) => addressInRange(a, range)),
        `${node.name} pod ${net.ifname} has an address in ${range.first}..${range.last} (has ${addresses.join(', ')})`,
      );
    }
    all.push(...addresses.map(canonicalAddress));
  }
  return all;
}

/** After the pod is gone: eth4 back with its MAC, no links of `kinds` left, no address held. */
export async function expectNodeReleased(
  ctx: ScenarioContext,
  node: NodePlan,
  held: string[],
  kinds = ['ipvlan', 'macvlan'],
): Promise<void> {
  const vm = await nodeLinks(ctx, node.name);
  const eth4 = node.nics.find((n) => n.name === 'eth4');
  expectEqual(
    vm.find((l) => l.ifname === 'eth4')?.address,
    eth4?.mac,
    `${node.name}: eth4 is back with its MAC`,
  );
  expectDeepEqual(
    vm.filter((l) => kinds.includes(l.linkinfo?.info_kind ?? '')).map((l) => l.ifname),
    [],
    `${node.name}: ${kinds.join('/')} links left on the node`,
  );
  const files = await hostLocalHeld(ctx, node.name);
  expectDeepEqual(
    held.filter((a) => files.includes(a)),
    [],
    `${node.name}: addresses host-local still holds for the deleted pod`,
  );
}

/** The addresses host-local holds on a node: one file per address under /var/lib/cni/networks/<net>/. */
export async function hostLocalHeld(ctx: ScenarioContext, vm: string): Promise<string[]> {
  const list = await ctx.sh(vm, 'find /var/lib/cni/networks -type f');
  // Besides one file per address, host-local keeps a lock and last_reserved_ip.<range>.
  return list
    .split('\n')
    .map((path) => path.slice(path.lastIndexOf('/') + 1))
    .filter((name) => /^\d+\.\d+\.\d+\.\d+$|^[\da-f]*:[\da-f:]*$/i.test(name))
    .map(canonicalAddress);
}

/**
 * Before a delete: host-local holds every address the pod has, so the release check after it
 * looks where the addresses are (a wrong path would make it pass for anything).
 */
export async function expectHeldByHostLocal(
  ctx: ScenarioContext,
  node: NodePlan,
  held: string[],
): Promise<void> {
  const files = await hostLocalHeld(ctx, node.name);
  expectDeepEqual(
    held.filter((a) => !files.includes(a)),
    [],
    `${node.name}: addresses of the pod that host-local does not hold`,
  );
}

/** Collects every node's pod addresses (each checked by `perNode`); none may repeat. */
export async function expectNoSharedAddresses(
  ctx: ScenarioContext,
  perNode: (node: NodePlan) => Promise<string[]>,
): Promise<void> {
  const all: string[] = [];
  for (const node of ctx.plan.nodes) all.push(...(await perNode(node)));
  expectDeepEqual(duplicates(all), [], 'addresses held by more than one pod interface');
}
