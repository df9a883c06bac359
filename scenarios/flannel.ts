// flannel as the default network (seed 002): its DaemonSet runs on every node, each node's
// flannel subnets are its podCIDRs, pods get addresses from them, and pods on two nodes reach
// each other over VXLAN (flannel.1 and flannel-v6.1; UDP 8472 between the nodes' net-1
// addresses, seen on the wire). Then seed 002 as written: Multus in front of flannel,
// samplepod and samplepod2 on macvlan-conf ping over net1.
import { NODE, Node } from '../lab/cluster/kube-types.js';
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectEqual, expectMatch, expectTrue } from '../lab/scenario/expect.js';
import { addressInRange, cidrRange, parseEnvFile, udpLinesBetween } from '../lab/scenario/netcheck.js';
import { type NodePlan, nodeAddresses } from '../lab/topology/plan.js';
import {
  applyManifests,
  expectReaches,
  getPod,
  idlePod,
  waitDaemonPodsReady,
  waitNodesReady,
  waitPodsReady,
} from './support/kube.js';
import { ownNamespaceStep, removeOwnNamespace } from './support/namespace.js';
import { seed002Step } from './support/seed002.js';

const podName = (node: string) => `flannel-${node}`;
const VXLAN_PORT = 8472;
/** The devices flanneld makes per family, VXLAN id 1 on the nodes' eth1. */
const VXLAN_DEVICES = ['flannel.1', 'flannel-v6.1'];

/** This node's flannel subnets, IPv4 then IPv6, as flanneld wrote them for the CNI plugin. */
async function flannelSubnets(ctx: ScenarioContext, node: string): Promise<string[]> {
  const env = parseEnvFile(await ctx.sh(node, 'cat /run/flannel/subnet.env'));
  return [env.FLANNEL_SUBNET, env.FLANNEL_IPV6_SUBNET].filter((s): s is string => Boolean(s));
}

async function podIps(ctx: ScenarioContext, node: string): Promise<string[]> {
  return ((await getPod(ctx, podName(node))).status?.podIPs ?? []).map((entry) => entry.ip);
}

const net1Addresses = (node: NodePlan) =>
  nodeAddresses(node)
    .filter((a) => a.net === 1)
    .map((a) => a.address);

export default defineScenario({
  name: 'flannel',
  description:
    "flannel as the pod network (seed 002): its DaemonSet on every node, subnets = podCIDRs, cross-node pod ping over VXLAN seen as UDP 8472 on net 1, then seed 002's samplepods over Multus",
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5], podNetwork: 'flannel' },
  overlays: ['multus'],
  weight: 15, // minutes under TCG: a cold Kubernetes boot with flannel's pod start, then 5 steps
  steps: [
    {
      name: "both nodes are Ready and flannel's DaemonSet pod runs on each",
      timeoutMs: 300_000,
      run: async (ctx) => {
        await waitNodesReady(ctx);
        await waitDaemonPodsReady(ctx, 'app=flannel');
      },
    },
    ownNamespaceStep({ overlay: 'multus', names: ['macvlan-conf'] }),
    {
      name: "each node's flannel subnets are its podCIDRs; flannel.1 and flannel-v6.1 are VXLAN on eth1, port 8472",
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const cidrs = (await ctx.kube.get(Node, NODE, node.name))?.spec.podCIDRs ?? [];
          const subnets = await flannelSubnets(ctx, node.name);
          expectEqual(
            subnets.length,
            2,
            `${node.name}: flannel subnets, one per family (${subnets.join(', ')})`,
          );
          for (const [index, subnet] of subnets.entries()) {
            // flannel writes the subnet as its gateway address with the prefix (10.244.1.1/24).
            const cidr = cidrs[index] ?? '';
            expectTrue(
              addressInRange(subnet, cidrRange(cidr)) && subnet.split('/')[1] === cidr.split('/')[1],
              `${node.name}: flannel subnet ${subnet} is its podCIDR ${cidr}`,
            );
          }
          for (const device of VXLAN_DEVICES) {
            const link = await ctx.sh(node.name, `ip -d link show ${device}`);
            expectMatch(link, /vxlan id 1 /, `${node.name} ${device} is VXLAN id 1`);
            expectMatch(
              link,
              new RegExp(`dev eth1 .*dstport ${VXLAN_PORT}\\b`),
              `${node.name} ${device} on eth1, port ${VXLAN_PORT}`,
            );
          }
          ctx.log(`${node.name}: ${subnets.join(', ')}; ${VXLAN_DEVICES.join(', ')} on eth1`);
        }
      },
    },
    {
      name: "a pod pinned to each node gets one address per family from its node's flannel subnets",
      timeoutMs: 420_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes)
          await applyManifests(
            ctx,
            JSON.stringify(
              idlePod({ name: podName(node.name), node: node.name, labels: { app: 'flannel-scenario' } }),
            ),
          );
        await waitPodsReady(
          ctx,
          ctx.plan.nodes.map((n) => podName(n.name)),
        );
        for (const node of ctx.plan.nodes) {
          const subnets = await flannelSubnets(ctx, node.name);
          const ips = await podIps(ctx, node.name);
          expectEqual(ips.length, 2, `${podName(node.name)} has two addresses (${ips.join(', ')})`);
          for (const ip of ips)
            expectTrue(
              subnets.some((subnet) => addressInRange(ip, cidrRange(subnet))),
              `${podName(node.name)} address ${ip} lies in ${node.name}'s flannel subnets ${subnets.join(', ')}`,
            );
        }
      },
    },
    {
      name: 'the pods ping across the nodes, both families, and the packets cross net 1 as VXLAN (UDP 8472)',
      timeoutMs: 240_000,
      run: async (ctx) => {
        const [from, to] = ctx.plan.nodes;
        if (!from || !to) throw new Error('this step needs two nodes');
        const targets = await podIps(ctx, to.name);
        const capture = ctx.host.capture(1, { filter: `udp port ${VXLAN_PORT}`, count: 400, seconds: 30 });
        // Awaited below; if the ping fails first, its failure must not become an unhandled one.
        capture.catch(() => undefined);
        // tcpdump starts in well under a second; the pings must come after it listens.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        await expectReaches(ctx, podName(from.name), targets);
        const { captured, lines } = await capture;
        ctx.log(`captured ${captured} packets on net 1 (udp port ${VXLAN_PORT})`);
        const [fromAddresses, toAddresses] = [net1Addresses(from), net1Addresses(to)];
        for (const [index, family] of ['IPv4', 'IPv6'].entries()) {
          const [a, b] = [fromAddresses[index] ?? '', toAddresses[index] ?? ''];
          const there = udpLinesBetween(lines, a, b, VXLAN_PORT);
          const back = udpLinesBetween(lines, b, a, VXLAN_PORT);
          expectTrue(
            there.length > 0 && back.length > 0,
            `${family} VXLAN both ways between ${a} and ${b} (${there.length} there, ${back.length} back)`,
          );
          ctx.log(`${family}: ${there[0]}`);
        }
      },
    },
    seed002Step,
  ],
  cleanup: {
    name: "cleanup: the scenario's namespace is removed",
    timeoutMs: 300_000,
    run: removeOwnNamespace,
  },
});
