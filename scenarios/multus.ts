import { EVENT, Event, KubeObject, NAD, NODE, Node, POD, Pod } from '../lab/cluster/kube-types.js';
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectMatch, expectTrue } from '../lab/scenario/expect.js';
import {
  addressInRange,
  canonicalAddress,
  cidrRange,
  globalAddressesByIf,
  type IpAddrEntry,
  type IpLinkDetail,
} from '../lab/scenario/netcheck.js';
import type { NodePlan } from '../lab/topology/plan.js';
import {
  applyManifests,
  deletePods,
  expectReaches,
  getPod,
  idlePod,
  inPod,
  logReadyTimes,
  waitPodsReady,
} from './support/kube.js';
import { ownNamespaceStep, removeOwnNamespace } from './support/namespace.js';
import {
  expectAddressesInRanges,
  expectHeldByHostLocal,
  expectNodeReleased,
  expectNoSharedAddresses,
  expectPodLinks,
  nodeLinks,
  SECONDARY_NETS,
} from './support/node-local-nets.js';
import { networkStatus, seed002Step } from './support/seed002.js';

const LABEL = 'app=multus-scenario';
const NETWORKS = ['ipvlan', 'macvlan', 'host-device'];
const podName = (node: string) => `multus-${node}`;
const MISSING = 'multus-missing-nad';
const STATIC_POD = 'multus-static';
const STATIC_MANIFEST = `/etc/kubernetes/manifests/${STATIC_POD}.json`;
/** Where `lab start multus` puts seed 000's and 002's NADs for its users. */
const LAB_NADS_NAMESPACE = 'default';

function podManifest(name: string, node: string, networks: string): string {
  return JSON.stringify(idlePod({ name, node, networks, labels: { app: 'multus-scenario' } }));
}

async function podAddresses(ctx: ScenarioContext, pod: string): Promise<Map<string, string[]>> {
  return globalAddressesByIf(
    JSON.parse(await inPod(ctx, pod, ['ip', '-j', 'addr', 'show'])) as IpAddrEntry[],
  );
}

async function podCidrs(ctx: ScenarioContext, node: string): Promise<string[]> {
  return (await ctx.kube.get(Node, NODE, node))?.spec.podCIDRs ?? [];
}

/** Every address of the pod on `node`: eth0 in its podCIDRs, net1..3 in its node-local ranges. */
async function expectPodAddresses(ctx: ScenarioContext, node: NodePlan): Promise<string[]> {
  const byIf = await podAddresses(ctx, podName(node.name));
  const cidrs = await podCidrs(ctx, node.name);
  const eth0 = byIf.get('eth0') ?? [];
  expectEqual(eth0.length, 2, `${node.name} pod eth0 has one address per family (${eth0.join(', ')})`);
  for (const address of eth0)
    expectTrue(
      cidrs.some((cidr) => addressInRange(address, cidrRange(cidr))),
      `${node.name} pod eth0 ${address} lies in the node's podCIDRs ${cidrs.join(', ')}`,
    );
  return [...eth0.map(canonicalAddress), ...expectAddressesInRanges(node, byIf, SECONDARY_NETS)];
}

/** Creates the 3-network pod on every node and waits until all are Ready; logs the time. */
async function createPods(ctx: ScenarioContext): Promise<void> {
  const started = Date.now();
  for (const node of ctx.plan.nodes)
    await applyManifests(ctx, podManifest(podName(node.name), node.name, NETWORKS.join(',')));
  const names = ctx.plan.nodes.map((node) => podName(node.name));
  const pods = await waitPodsReady(ctx, names);
  ctx.log(`pods created -> all Ready (every interface up): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  logReadyTimes(ctx, pods);
}

export default defineScenario({
  name: 'multus',
  description:
    "Multus on Kubernetes: pods with eth0 + ipvlan/macvlan/host-device NADs, node-local ranges, all-pairs ping, network-status, seed 002's samplepods, cleanup, a missing NAD",
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
  overlays: ['multus'],
  weight: 14, // minutes under TCG: a cold Kubernetes boot, then 11 steps
  steps: [
    {
      name: "the NAD CRD and the seeds' NADs are in the cluster, in namespace default for the lab's users",
      timeoutMs: 300_000,
      run: async (ctx) => {
        // The lab's must be there; NADs a user added beside them do not matter.
        const wanted = ['bridge', 'host-device', 'ipvlan', 'macvlan', 'macvlan-conf'];
        await ctx.retryUntil(
          `NADs ${wanted.join(', ')}`,
          async () => {
            const names = (await ctx.kube.list(KubeObject, NAD, { namespace: LAB_NADS_NAMESPACE })).map(
              (n) => n.metadata.name,
            );
            const missing = wanted.filter((w) => !names.includes(w));
            expectDeepEqual(
              missing,
              [],
              `NetworkAttachmentDefinitions missing from ${LAB_NADS_NAMESPACE} (has ${names.join(', ')})`,
            );
          },
          { timeoutMs: 280_000, intervalMs: 5000 },
        );
      },
    },
    ownNamespaceStep({ overlay: 'multus', names: [...NETWORKS, 'macvlan-conf'] }),
    {
      name: 'a pod on each node with ipvlan, macvlan and host-device runs',
      timeoutMs: 480_000,
      run: createPods,
    },
    {
      name: 'each pod has exactly eth0, net1 (ipvlan on eth2), net2 (macvlan bridge on eth3), net3 (the node eth4)',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const pod = JSON.parse(
            await inPod(ctx, podName(node.name), ['ip', '-j', '-d', 'link', 'show']),
          ) as IpLinkDetail[];
          expectPodLinks(node, pod, await nodeLinks(ctx, node.name));
        }
      },
    },
    {
      name: "every address lies in its node's range (podCIDRs, node-local), both families; none repeats",
      run: async (ctx) => {
        await expectNoSharedAddresses(ctx, (node) => expectPodAddresses(ctx, node));
      },
    },
    {
      name: 'all pairs across the nodes ping on eth0, net1, net2 and net3, IPv4 and IPv6',
      timeoutMs: 300_000,
      run: async (ctx) => {
        for (const from of ctx.plan.nodes) {
          const targets: string[] = [];
          for (const to of ctx.plan.nodes.filter((n) => n.id !== from.id)) {
            const byIf = await podAddresses(ctx, podName(to.name));
            for (const ifname of ['eth0', 'net1', 'net2', 'net3'])
              targets.push(...(byIf.get(ifname) ?? []).map(canonicalAddress));
          }
          expectEqual(
            targets.length,
            8 * (ctx.plan.nodes.length - 1),
            `addresses for ${podName(from.name)} to ping`,
          );
          await expectReaches(ctx, podName(from.name), targets);
        }
      },
    },
    {
      name: 'network-status: one default entry (eth0), one per NAD with its interface and the IPs ip addr shows',
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const pod = podName(node.name);
          const status = await networkStatus(ctx, pod);
          const byIf = await podAddresses(ctx, pod);
          const sorted = (ips: string[] | undefined) => (ips ?? []).map(canonicalAddress).sort();
          const defaults = status.filter((s) => s.default === true);
          expectEqual(defaults.length, 1, `${pod}: entries with default: true`);
          expectEqual(defaults[0]?.interface, 'eth0', `${pod}: the default entry's interface`);
          expectDeepEqual(
            sorted(defaults[0]?.ips),
            sorted(byIf.get('eth0')),
            `${pod}: default entry IPs = eth0's`,
          );
          NETWORKS.forEach((nad, i) => {
            const ifname = `net${i + 1}`;
            const entries = status.filter((s) => s.name === `${ctx.namespace}/${nad}`);
            expectEqual(entries.length, 1, `${pod}: entries named ${ctx.namespace}/${nad}`);
            expectEqual(entries[0]?.interface, ifname, `${pod}: ${ctx.namespace}/${nad} interface`);
            expectDeepEqual(
              sorted(entries[0]?.ips),
              sorted(byIf.get(ifname)),
              `${pod}: ${nad} IPs = ${ifname}'s`,
            );
          });
          expectEqual(status.length, 1 + NETWORKS.length, `${pod}: network-status entries`);
        }
      },
    },
    seed002Step,
    {
      name: 'deleting the pods returns eth4 to each node and releases every address; a new pod gets addresses',
      // Two deletes and a create on a loaded vm-001 under TCG: 342 s in CI, 600 s was not enough once.
      timeoutMs: 900_000,
      run: async (ctx) => {
        const held = new Map<string, string[]>();
        for (const node of ctx.plan.nodes) {
          const byIf = await podAddresses(ctx, podName(node.name));
          held.set(node.name, SECONDARY_NETS.flatMap((n) => byIf.get(n.ifname) ?? []).map(canonicalAddress));
          await expectHeldByHostLocal(ctx, node, held.get(node.name) ?? []);
        }
        await deletePods(ctx, { label: LABEL });
        for (const node of ctx.plan.nodes) await expectNodeReleased(ctx, node, held.get(node.name) ?? []);
        await createPods(ctx);
        for (const node of ctx.plan.nodes) await expectPodAddresses(ctx, node);
        await deletePods(ctx, { label: LABEL });
      },
    },
    {
      name: 'a static pod with a networks annotation gets its net1 (ipvlan); its mirror pod shows it',
      timeoutMs: 420_000,
      run: async (ctx) => {
        const node = ctx.plan.nodes.at(-1);
        if (!node) throw new Error('no node');
        const mirror = `${STATIC_POD}-${node.name}`;
        // No nodeName: the kubelet that reads the file runs it. A file names its namespace.
        const pod = idlePod({ name: STATIC_POD, networks: 'ipvlan', labels: { app: 'multus-scenario' } });
        const manifest = { ...pod, metadata: { ...pod.metadata, namespace: ctx.namespace } };
        await ctx.sh(
          node.name,
          `cat > ${STATIC_MANIFEST}.tmp && mv ${STATIC_MANIFEST}.tmp ${STATIC_MANIFEST}`,
          {
            input: JSON.stringify(manifest),
          },
        );
        try {
          // The kubelet reads the file, runs the pod, then reports its mirror: wait for all of it.
          await waitPodsReady(ctx, [mirror], 400);
          const net1 = (await podAddresses(ctx, mirror)).get('net1') ?? [];
          expectEqual(net1.length, 2, `${mirror} net1 has one address per family (${net1.join(', ')})`);
          const status = await networkStatus(ctx, mirror);
          expectTrue(
            status.some((s) => s.name === `${ctx.namespace}/ipvlan` && s.interface === 'net1'),
            `${mirror}'s network-status lists ${ctx.namespace}/ipvlan on net1 (${JSON.stringify(status)})`,
          );
        } finally {
          await ctx.sh(node.name, `rm -f ${STATIC_MANIFEST}`);
        }
        await ctx.kube.waitFor(
          Pod,
          POD,
          { namespace: ctx.namespace },
          (pods) => !pods.some((p) => p.metadata.name === mirror),
          {
            what: `mirror pod ${mirror} gone`,
            timeoutMs: 180_000,
          },
        );
      },
    },
    {
      name: "a pod naming a NAD that does not exist stays ContainerCreating with multus's error in its events",
      timeoutMs: 300_000,
      run: async (ctx) => {
        const node = ctx.plan.nodes[0]?.name ?? 'vm-001';
        await applyManifests(ctx, podManifest(MISSING, node, 'nosuch-net'));
        try {
          const events = await ctx.retryUntil(
            `multus's error in the events of ${MISSING}`,
            async () => {
              const text = (
                await ctx.kube.list(Event, EVENT, {
                  namespace: ctx.namespace,
                  fieldSelector: `involvedObject.name=${MISSING}`,
                })
              )
                .map((e) => `${e.reason}: ${e.message}`)
                .join('\n');
              expectMatch(text, /nosuch-net/, 'events mention the missing NAD');
              return text;
            },
            { timeoutMs: 240_000, intervalMs: 5000 },
          );
          ctx.log(events.split('\n').find((l) => l.includes('nosuch-net')) ?? '');
          expectMatch(
            events,
            new RegExp(
              `NoNetworkFound: cannot find a network-attachment-definition \\(nosuch-net\\) in namespace \\(${ctx.namespace}\\)`,
            ),
            "the event carries multus's error naming the NAD",
          );
          const pod = await getPod(ctx, MISSING);
          const waiting = `${pod.status?.phase} ${pod.status?.containerStatuses?.[0]?.state?.waiting?.reason}`;
          expectEqual(waiting, 'Pending ContainerCreating', `${MISSING} phase and waiting reason`);
        } finally {
          await deletePods(ctx, { names: [MISSING] });
        }
        const left = await ctx.kube.list(Pod, POD, { namespace: ctx.namespace, labelSelector: LABEL });
        expectDeepEqual(
          left.map((p) => p.metadata.name),
          [],
          'scenario pods left',
        );
      },
    },
  ],
  cleanup: {
    name: "cleanup: the static pod's manifest and the scenario's namespace are removed",
    timeoutMs: 300_000,
    run: async (ctx) => {
      for (const node of ctx.plan.nodes) await ctx.sh(node.name, `rm -f ${STATIC_MANIFEST}`);
      await removeOwnNamespace(ctx);
    },
  },
});
