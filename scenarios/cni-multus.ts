// Seeds 000 and 004 without Kubernetes: in each of two VMs a pod (a netns made by lab-cni)
// gets multus with four delegates: eth0 on a node-local bridge, net1 ipvlan on eth2, net2
// macvlan on eth3, net3 the VM's own eth4 (host-device). Addresses come from node-local
// ranges, so the two pods never share one; the pods reach each other on net1..net3.
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectMatch, expectTrue } from '../lab/scenario/expect.js';
import {
  addressInRange,
  canonicalAddress,
  globalAddressesByIf,
  type IpAddrEntry,
  type IpLinkDetail,
} from '../lab/scenario/netcheck.js';
import type { NodePlan } from '../lab/topology/plan.js';
import {
  expectAddressesInRanges,
  expectNodeReleased,
  expectNoSharedAddresses,
  expectPodLinks,
  nodeLinks,
  type PodNet,
  SECONDARY_NETS,
} from './support/node-local-nets.js';
import { pingAllCommand, unanswered } from './support/ping.js';

const POD = 'pod1';
const CONFIG = '/etc/cni/examples/multus.conf';

/** eth0 on overlays/cni's bridge delegate, then seed 000's three secondary networks. */
const POD_NETS: PodNet[] = [
  {
    ifname: 'eth0',
    network: 'bridge',
    ranges: (node) => [
      { first: `10.0.${node}.2`, last: `10.0.${node}.254` },
      { first: `fd00:4c41:100::10.0.${node}.2`, last: `fd00:4c41:100::10.0.${node}.255` },
    ],
  },
  ...SECONDARY_NETS,
];
const CROSS_NODE = SECONDARY_NETS;

interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; sandbox?: string }[];
  ips?: { address: string; interface?: number }[];
}

async function podAddresses(ctx: ScenarioContext, vm: string): Promise<Map<string, string[]>> {
  const json = await ctx.sh(vm, `lab-cni exec ${POD} ip -j addr show`);
  return globalAddressesByIf(JSON.parse(json) as IpAddrEntry[]);
}

async function podLinks(ctx: ScenarioContext, vm: string): Promise<IpLinkDetail[]> {
  return JSON.parse(await ctx.sh(vm, `lab-cni exec ${POD} ip -j -d link show`)) as IpLinkDetail[];
}

/** Seconds on the guest's clock around one ADD (SSH time excluded). */
async function timedAdd(
  ctx: ScenarioContext,
  node: NodePlan,
): Promise<{ result: CniResult; seconds: number }> {
  const out = await ctx.sh(
    node.name,
    `s=$(cut -d' ' -f1 /proc/uptime); lab-cni add ${POD} ${CONFIG} >/tmp/${POD}.result || exit 1; ` +
      `e=$(cut -d' ' -f1 /proc/uptime); echo "$s $e"; cat /tmp/${POD}.result`,
    { timeoutMs: 90_000 },
  );
  const [times = '', ...rest] = out.split('\n');
  const [start = 0, end = 0] = times.split(' ').map(Number);
  return { result: JSON.parse(rest.join('\n')) as CniResult, seconds: end - start };
}

async function expectPodAddressesInRanges(ctx: ScenarioContext, node: NodePlan): Promise<string[]> {
  return expectAddressesInRanges(node, await podAddresses(ctx, node.name), POD_NETS);
}

/** Pings from the pod on `from` to each address; returns those that did not answer. */
async function podUnreachable(ctx: ScenarioContext, from: NodePlan, targets: string[]): Promise<string[]> {
  return unanswered(await ctx.sh(from.name, pingAllCommand(targets, { via: ['lab-cni', 'exec', POD] })));
}

async function crossNodeTargets(ctx: ScenarioContext, node: NodePlan): Promise<string[]> {
  const byIf = await podAddresses(ctx, node.name);
  return CROSS_NODE.flatMap((net) => (byIf.get(net.ifname) ?? []).map(canonicalAddress));
}

const BAD_INPUTS = [
  {
    what: 'invalid JSON',
    make: `echo '{ "cniVersion": ' > /tmp/bad.conf`,
    error: /is not a JSON object: .*parse error/,
  },
  {
    what: 'a master NIC that does not exist',
    make: `jq '.delegates[1].master = "eth9"' ${CONFIG} > /tmp/bad.conf`,
    error: /failed to lookup master "eth9"/,
  },
  {
    what: 'a delegate naming a missing plugin',
    make: `jq '.delegates[2].type = "nosuch"' ${CONFIG} > /tmp/bad.conf`,
    error: /failed to find plugin "nosuch"/,
  },
];

export default defineScenario({
  name: 'cni-multus',
  description:
    'multus without Kubernetes: a pod per VM with eth0 (bridge), net1 ipvlan, net2 macvlan, net3 host-device; node-local ranges, cross-VM ping, DEL releases everything',
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
  overlays: ['cni'],
  weight: 2, // minutes under TCG: boot and steps in about 2 minutes
  steps: [
    {
      name: 'multus ADD in each VM returns the default network result (delegates mode)',
      timeoutMs: 240_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const { result, seconds } = await timedAdd(ctx, node);
          ctx.log(`${node.name}: multus ADD with 4 delegates took ${seconds.toFixed(2)} s (guest clock)`);
          // Multus returns the first delegate's (the "master" plugin's) result only.
          expectEqual(result.cniVersion, '1.0.0', `${node.name} result cniVersion`);
          const names = (result.interfaces ?? []).map((i) => i.name);
          expectTrue(
            (result.interfaces ?? []).some((i) => i.name === 'eth0' && i.sandbox === `/var/run/netns/${POD}`),
            `${node.name} result has eth0 in the pod's netns (interfaces ${names.join(', ')})`,
          );
          expectDeepEqual(
            names.filter((n) => /^net\d$/.test(n)),
            [],
            `${node.name} result has no net1..net3 (delegates mode returns the master's result)`,
          );
          const ranges = POD_NETS[0]?.ranges(node.id) ?? [];
          for (const ip of result.ips ?? [])
            expectTrue(
              ranges.some((r) => addressInRange(ip.address, r)),
              `${node.name} result address ${ip.address} lies in the bridge's node-local range`,
            );
          expectEqual(result.ips?.length, 2, `${node.name} result has one IPv4 and one IPv6 address`);
        }
      },
    },
    {
      name: 'each pod has exactly eth0, net1 (ipvlan on eth2), net2 (macvlan bridge on eth3), net3 (the VM eth4)',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const pod = await podLinks(ctx, node.name);
          expectPodLinks(node, pod, await nodeLinks(ctx, node.name));
        }
      },
    },
    {
      name: "every address lies in its node's node-local range; no address repeats across the pods",
      run: async (ctx) => {
        await expectNoSharedAddresses(ctx, (node) => expectPodAddressesInRanges(ctx, node));
      },
    },
    {
      name: 'the pods ping each other across the VMs on net1, net2 and net3, IPv4 and IPv6',
      run: async (ctx) => {
        for (const from of ctx.plan.nodes) {
          const targets = (
            await Promise.all(
              ctx.plan.nodes.filter((n) => n.id !== from.id).map((n) => crossNodeTargets(ctx, n)),
            )
          ).flat();
          expectEqual(targets.length, 6, `addresses for the pod on ${from.name} to ping`);
          const started = Date.now();
          // IPv6 addresses are usable once duplicate address detection is done: retry.
          await ctx.retryUntil(
            `pod on ${from.name} reaching ${targets.join(' ')}`,
            async () => {
              const missing = await podUnreachable(ctx, from, targets);
              if (missing.length > 0) throw new Error(`no answer from ${missing.join(', ')}`);
            },
            { timeoutMs: 60_000, intervalMs: 1000 },
          );
          ctx.log(`pod on ${from.name} reached ${targets.join(' ')} (${Date.now() - started} ms)`);
        }
      },
    },
    {
      name: 'CNI CHECK passes for both pods',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes)
          expectMatch(await ctx.sh(node.name, `lab-cni check ${POD}`), /CHECK passed/, `${node.name} CHECK`);
      },
    },
    {
      name: 'CNI DEL removes the pod, returns eth4 to the VM and releases every address',
      timeoutMs: 180_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const held = (await podAddresses(ctx, node.name)).values();
          const addresses = [...held].flat().map(canonicalAddress);
          await ctx.sh(node.name, `lab-cni del ${POD}`, { timeoutMs: 90_000 });
          expectEqual(
            (await ctx.exec(node.name, `ip netns list | grep -w ${POD}`)).code,
            1,
            `${node.name}: netns ${POD} is gone`,
          );
          await expectNodeReleased(ctx, node, addresses, ['ipvlan', 'macvlan', 'veth']);
        }
      },
    },
    {
      name: 'a second ADD gets addresses again, and DEL cleans up',
      timeoutMs: 240_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          await timedAdd(ctx, node);
          await expectPodAddressesInRanges(ctx, node);
          await ctx.sh(node.name, `lab-cni del ${POD}`, { timeoutMs: 90_000 });
        }
      },
    },
    {
      name: 'bad input (invalid JSON, missing master NIC, missing plugin): non-zero, the error text, no netns left',
      timeoutMs: 180_000,
      run: async (ctx) => {
        const vm = ctx.plan.nodes[0]?.name ?? 'vm-001';
        for (const bad of BAD_INPUTS) {
          await ctx.sh(vm, bad.make);
          const run = await ctx.exec(vm, 'lab-cni add bad /tmp/bad.conf', { timeoutMs: 90_000 });
          expectTrue(run.code !== 0, `${bad.what}: lab-cni add exits non-zero (got ${run.code})`);
          expectMatch(run.stderr, bad.error, `${bad.what}: error text`);
          expectEqual(
            (await ctx.exec(vm, 'ip netns list | grep -w bad; ls /run/lab-cni/bad')).stdout.trim(),
            '',
            `${bad.what}: nothing left behind`,
          );
        }
        const leftovers = await nodeLinks(ctx, vm);
        expectTrue(
          leftovers.some((l) => l.ifname === 'eth4'),
          'eth4 still in the VM after the failed ADDs',
        );
      },
    },
  ],
});
