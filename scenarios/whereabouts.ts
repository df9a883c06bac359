// whereabouts, cluster-wide IPAM (what seed 000's node-local IPAM users grow into): its
// DaemonSet runs on every node; pods on two nodes get distinct addresses from one range of one
// NAD, recorded in the range's IPPool; they ping each other over it; a deleted pod's address
// leaves the pool and a new pod gets one.
import { z } from 'zod';
import { KubeObject } from '../lab/cluster/kube-types.js';
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectTrue } from '../lab/scenario/expect.js';
import { addressInRange } from '../lab/scenario/netcheck.js';
import {
  applyManifests,
  deletePods,
  expectReaches,
  idlePod,
  waitDaemonPodsReady,
  waitPodsReady,
} from './support/kube.js';
import { ownNamespaceStep, removeOwnNamespace } from './support/namespace.js';
import { networkStatus } from './support/seed002.js';

const NAD = 'whereabouts-macvlan';
const RANGE = { cidr: '10.40.0.0/24', first: '10.40.0.10', last: '10.40.0.29' };
const podName = (node: string) => `wb-${node}`;
const AGAIN = 'wb-again';
const IPPOOL = { apiVersion: 'whereabouts.cni.cncf.io/v1alpha1', kind: 'IPPool' };
const IpPool = KubeObject.extend({
  spec: z.looseObject({
    range: z.string(),
    allocations: z.record(z.string(), z.looseObject({ podref: z.string().optional() })).optional(),
  }),
});

function podManifest(name: string, node: string): string {
  return JSON.stringify(idlePod({ name, node, networks: NAD, labels: { app: 'whereabouts-scenario' } }));
}

/** The pod's net1 address, as multus reported it. */
async function net1(ctx: ScenarioContext, pod: string): Promise<string> {
  const entry = (await networkStatus(ctx, pod)).find((s) => s.name === `${ctx.namespace}/${NAD}`);
  expectEqual(entry?.interface, 'net1', `${pod}: ${NAD} interface`);
  return entry?.ips?.[0] ?? '';
}

/** The scenario's pods the range's IPPool holds addresses for (namespace/name); others' pods may share it. */
async function podsInPool(ctx: ScenarioContext): Promise<string[]> {
  const pools = await ctx.kube.list(IpPool, IPPOOL, { namespace: 'kube-system' });
  const pool = pools.find((p) => p.spec.range === RANGE.cidr);
  return Object.values(pool?.spec.allocations ?? {})
    .map((a) => a.podref ?? '')
    .filter((ref) => ref.startsWith(`${ctx.namespace}/`))
    .sort();
}

export default defineScenario({
  name: 'whereabouts',
  description:
    'whereabouts: its DaemonSet on every node, pods on two nodes get distinct addresses of one range (IPPool), ping over it, a deleted pod gives its address back',
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
  overlays: ['multus', 'whereabouts'],
  weight: 14, // minutes under TCG: a cold Kubernetes boot, then 4 steps
  steps: [
    {
      name: "whereabouts' DaemonSet pod runs on each node",
      timeoutMs: 300_000,
      run: async (ctx) => {
        await waitDaemonPodsReady(ctx, 'app=whereabouts', 280);
      },
    },
    ownNamespaceStep({ overlay: 'whereabouts', names: [NAD] }),
    {
      name: `a pod on each node gets a distinct ${NAD} address from the one range, held in its IPPool`,
      timeoutMs: 480_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes)
          await applyManifests(ctx, podManifest(podName(node.name), node.name));
        const names = ctx.plan.nodes.map((n) => podName(n.name));
        await waitPodsReady(ctx, names);
        const addresses = await Promise.all(names.map((pod) => net1(ctx, pod)));
        for (const [index, address] of addresses.entries())
          expectTrue(
            addressInRange(address, RANGE),
            `${names[index]} net1 ${address} in ${RANGE.first}-${RANGE.last}`,
          );
        expectEqual(
          new Set(addresses).size,
          addresses.length,
          `distinct addresses (${addresses.join(', ')})`,
        );
        expectDeepEqual(
          await podsInPool(ctx),
          names.map((n) => `${ctx.namespace}/${n}`).sort(),
          `pods in the IPPool of ${RANGE.cidr}`,
        );
        ctx.log(names.map((n, i) => `${n}: ${addresses[i]}`).join(', '));
      },
    },
    {
      name: `the pods ping each other over net1 (${NAD}, macvlan on net 4)`,
      timeoutMs: 180_000,
      run: async (ctx) => {
        const [a, b] = ctx.plan.nodes.map((n) => podName(n.name));
        await expectReaches(ctx, a ?? '', [await net1(ctx, b ?? '')]);
        await expectReaches(ctx, b ?? '', [await net1(ctx, a ?? '')]);
      },
    },
    {
      name: "a deleted pod's address leaves the pool; a new pod gets an address of the range",
      timeoutMs: 600_000,
      run: async (ctx) => {
        const [first, second] = ctx.plan.nodes;
        if (!first || !second) throw new Error('this step needs two nodes');
        const kept = podName(first.name);
        await deletePods(ctx, { names: [podName(second.name)] });
        await ctx.retryUntil(
          `${podName(second.name)} gone from the IPPool`,
          async () =>
            expectDeepEqual(await podsInPool(ctx), [`${ctx.namespace}/${kept}`], 'pods in the IPPool'),
          { timeoutMs: 120_000, intervalMs: 3000 },
        );
        await applyManifests(ctx, podManifest(AGAIN, second.name));
        await waitPodsReady(ctx, [AGAIN]);
        const [again, other] = [await net1(ctx, AGAIN), await net1(ctx, kept)];
        expectTrue(addressInRange(again, RANGE), `${AGAIN} net1 ${again} in the range`);
        expectTrue(again !== other, `${AGAIN} (${again}) and ${kept} (${other}) differ`);
        ctx.log(`${AGAIN}: ${again}`);
      },
    },
  ],
  cleanup: {
    name: "cleanup: the scenario's namespace is removed",
    timeoutMs: 300_000,
    run: removeOwnNamespace,
  },
});
