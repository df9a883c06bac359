// Kubernetes in the lab (issue: Kubernetes inside the VMs): both nodes Ready, a test pod
// pinned to each node gets addresses from its node's podCIDRs (both families), the pods
// reach each other across the nodes, exec into pods works, and the image came from the lab's
// own registry (there is no internet in a lab, so it must have). Then what a complete
// cluster has: a Deployment behind a dual-stack Service reached by name (CoreDNS), by its
// ClusterIPs from a node and through a NodePort on the other node (kube-proxy), the pods'
// headless names, and a static pod.

import {
  DEPLOYMENT,
  Deployment,
  isPodReady,
  isRolledOut,
  NODE,
  Node,
  POD,
  Pod,
  SERVICE,
  Service,
} from '../lab/cluster/kube-types.js';
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectTrue } from '../lab/scenario/expect.js';
import { addressInRange, canonicalAddress, cidrRange } from '../lab/scenario/netcheck.js';
import { nodeAddresses } from '../lab/topology/plan.js';
import {
  applyManifests,
  CONTROL,
  deletePods,
  getPod,
  inPod,
  waitNodesReady,
  waitPodsReady,
} from './support/kube.js';
import { ownNamespaceStep, removeOwnNamespace } from './support/namespace.js';

const IMAGE = 'docker.io/lab/toolbox:1';
const podName = (node: string) => `probe-${node}`;
/** The probes' headless Service: each probe is <pod>.probes.<namespace>.svc.cluster.local. */
const HEADLESS = 'probes';
const WEB = 'web';
const WEB_PORT = 8080;
const STATIC_POD = 'static-web';
const STATIC_MANIFEST = `/etc/kubernetes/manifests/${STATIC_POD}.json`;

function podManifest(node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(node), labels: { app: 'k8s-scenario' } },
    spec: {
      nodeName: node,
      hostname: podName(node),
      subdomain: HEADLESS,
      containers: [{ name: 'toolbox', image: IMAGE }],
      terminationGracePeriodSeconds: 1,
    },
  });
}

/** A web server that answers with its pod's name (busybox httpd of the toolbox image). */
const webContainer = {
  name: 'web',
  image: IMAGE,
  // The toolbox has busybox without its applet links: every applet is named through it.
  command: [
    '/usr/bin/busybox',
    'sh',
    '-c',
    `busybox mkdir -p /www && busybox hostname > /www/index.html && exec busybox httpd -f -p ${WEB_PORT} -h /www`,
  ],
  ports: [{ containerPort: WEB_PORT }],
};

/** 2 replicas, one per node; a dual-stack NodePort Service (so a ClusterIP too); the probes' headless Service. */
function servicesManifest(): string {
  const items = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: WEB, labels: { app: 'k8s-scenario-web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'k8s-scenario-web' } },
        template: {
          metadata: { labels: { app: 'k8s-scenario-web' } },
          spec: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app: 'k8s-scenario-web' } },
              },
            ],
            containers: [webContainer],
            terminationGracePeriodSeconds: 1,
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: WEB },
      spec: {
        type: 'NodePort',
        selector: { app: 'k8s-scenario-web' },
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4', 'IPv6'],
        ports: [{ port: 80, targetPort: WEB_PORT }],
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: HEADLESS },
      spec: {
        clusterIP: 'None',
        selector: { app: 'k8s-scenario' },
        ipFamilyPolicy: 'RequireDualStack',
        ports: [{ port: 1 }],
      },
    },
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function staticPodManifest(namespace: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: STATIC_POD, namespace, labels: { app: 'k8s-scenario-static' } },
    spec: { containers: [webContainer], terminationGracePeriodSeconds: 1 },
  });
}

interface WebService {
  clusterIps: string[];
  nodePort: number;
}

async function webService(ctx: ScenarioContext): Promise<WebService> {
  const service = await ctx.kube.get(Service, SERVICE, WEB, ctx.namespace);
  if (!service) throw new Error(`service ${WEB} does not exist`);
  return { clusterIps: service.spec.clusterIPs ?? [], nodePort: service.spec.ports?.[0]?.nodePort ?? 0 };
}

const urlHost = (ip: string) => (ip.includes(':') ? `[${ip}]` : ip);

/** Fetches http://host:port/ from a pod (exec) or a node (SSH): the answering pod's name. */
async function fetchFromPod(ctx: ScenarioContext, pod: string, host: string, port: number): Promise<string> {
  return (
    await inPod(ctx, pod, ['busybox', 'wget', '-q', '-T', '5', '-O-', `http://${host}:${port}/`])
  ).trim();
}
async function fetchFromNode(ctx: ScenarioContext, vm: string, host: string, port: number): Promise<string> {
  return (await ctx.sh(vm, `wget -q -T 5 -O- http://${host}:${port}/`)).trim();
}

/** The web Deployment's pods that are not being deleted: name and node. */
async function webReplicas(ctx: ScenarioContext): Promise<Array<{ name: string; node: string }>> {
  const pods = await ctx.kube.list(Pod, POD, {
    namespace: ctx.namespace,
    labelSelector: 'app=k8s-scenario-web',
  });
  return pods
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .map((pod) => ({ name: pod.metadata.name, node: pod.spec.nodeName ?? '' }));
}

/** Asks until every replica answered once: the Service balances over both nodes' pods. */
async function expectBothReplicasAnswer(
  ctx: ScenarioContext,
  what: string,
  fetch: () => Promise<string>,
): Promise<void> {
  const replicas = (await webReplicas(ctx)).map((r) => r.name);
  const seen = new Set<string>();
  await ctx.retryUntil(
    `${what}: answers from both replicas (${replicas.join(', ')})`,
    async () => {
      seen.add(await fetch());
      const missing = replicas.filter((r) => !seen.has(r));
      if (missing.length > 0)
        throw new Error(`no answer yet from ${missing.join(', ')} (seen: ${[...seen].join(', ')})`);
    },
    // Right after a rollout under TCG, kube-proxy may take minutes to program the other
    // node's endpoint (measured: > 90 s on a restored lab once scenarios stopped spending
    // that time starting kubectl processes).
    { timeoutMs: 240_000, intervalMs: 200 },
  );
  ctx.log(`${what}: ${[...seen].join(', ')}`);
}

/** The addresses busybox nslookup printed for `name` (the server's own address is left out). */
async function resolve(ctx: ScenarioContext, pod: string, name: string): Promise<string[]> {
  const out = await inPod(ctx, pod, ['busybox', 'nslookup', name]);
  const answers = out
    .split(/\n\s*\n/)
    .slice(1)
    .join('\n');
  return [...answers.matchAll(/^Address(?: \d+)?:\s*(\S+)/gm)].map((m) => canonicalAddress(m[1] ?? ''));
}

async function expectResolves(
  ctx: ScenarioContext,
  pod: string,
  name: string,
  expected: string[],
): Promise<void> {
  const want = expected.map(canonicalAddress).sort();
  await ctx.retryUntil(
    `${pod} resolving ${name} to ${want.join(', ')}`,
    async () => {
      const got = (await resolve(ctx, pod, name)).sort();
      expectDeepEqual(got, want, `${name} as ${pod} resolves it`);
    },
    { timeoutMs: 60_000, intervalMs: 2000 },
  );
  ctx.log(`${pod}: ${name} -> ${want.join(', ')}`);
}

async function podIps(ctx: ScenarioContext, node: string): Promise<string[]> {
  return ((await getPod(ctx, podName(node))).status?.podIPs ?? []).map((entry) => entry.ip);
}

export default defineScenario({
  name: 'k8s',
  description:
    'Kubernetes: nodes Ready, a pod per node with addresses from its podCIDRs, cross-node pod ping both families, exec, Services (ClusterIP, NodePort, DNS, headless), a static pod, image from the lab registry',
  topology: { nvm: 2 },
  overlays: ['xcluster-cni', 'private-reg', 'coredns'],
  weight: 12, // minutes under TCG: a cold Kubernetes boot, then the Service steps
  steps: [
    {
      name: 'both nodes are Ready',
      timeoutMs: 300_000,
      run: async (ctx) => {
        await waitNodesReady(ctx);
      },
    },
    ownNamespaceStep(),
    {
      name: 'a test pod pinned to each node runs',
      timeoutMs: 420_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) await applyManifests(ctx, podManifest(node.name));
        // A first pull under TCG takes minutes.
        const pods = await waitPodsReady(
          ctx,
          ctx.plan.nodes.map((node) => podName(node.name)),
        );
        for (const node of ctx.plan.nodes)
          expectEqual(
            pods.find((p) => p.metadata.name === podName(node.name))?.spec.nodeName,
            node.name,
            `node of ${podName(node.name)}`,
          );
      },
    },
    {
      name: "each pod's addresses lie in its node's podCIDRs, one per family",
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const cidrs = (await ctx.kube.get(Node, NODE, node.name))?.spec.podCIDRs ?? [];
          expectEqual(cidrs.length, 2, `${node.name} has an IPv4 and an IPv6 podCIDR (${cidrs.join(', ')})`);
          const ips = await podIps(ctx, node.name);
          expectEqual(ips.length, 2, `${podName(node.name)} has two addresses (${ips.join(', ')})`);
          for (const ip of ips)
            expectTrue(
              cidrs.some((cidr) => addressInRange(ip, cidrRange(cidr))),
              `${podName(node.name)} address ${ip} lies in ${node.name}'s podCIDRs ${cidrs.join(', ')}`,
            );
        }
      },
    },
    {
      name: 'the pods ping each other across the nodes, IPv4 and IPv6 (exec through the API server)',
      timeoutMs: 180_000,
      run: async (ctx) => {
        for (const from of ctx.plan.nodes) {
          for (const to of ctx.plan.nodes.filter((n) => n.id !== from.id)) {
            for (const ip of await podIps(ctx, to.name)) {
              await ctx.retryUntil(
                `${podName(from.name)} reaching ${ip}`,
                () => inPod(ctx, podName(from.name), ['ping', '-c1', '-W3', ip]),
                { timeoutMs: 60_000, intervalMs: 2000 },
              );
              ctx.log(`${podName(from.name)} -> ${podName(to.name)} ${ip}: ok`);
            }
          }
        }
      },
    },
    {
      name: 'a Deployment of 2 replicas, one per node, runs behind a dual-stack NodePort Service',
      timeoutMs: 420_000,
      run: async (ctx) => {
        await applyManifests(ctx, servicesManifest());
        await ctx.kube.waitFor(
          Deployment,
          DEPLOYMENT,
          { namespace: ctx.namespace, fieldSelector: `metadata.name=${WEB}` },
          (ds) => ds.length === 1 && ds.every(isRolledOut),
          {
            what: `deployment ${WEB} rolled out`,
            timeoutMs: 380_000,
            describe: (ds) => JSON.stringify(ds.map((d) => d.status ?? {})),
          },
        );
        // Pods of an earlier run may still be terminating: only the live ones count.
        const nodes = await ctx.retryUntil('2 live replicas', async () => {
          const live = await webReplicas(ctx);
          if (live.length !== 2)
            throw new Error(`${live.length} live replicas: ${live.map((r) => r.name).join(', ')}`);
          return live.map((r) => r.node).sort();
        });
        expectDeepEqual(nodes, ctx.plan.nodes.map((n) => n.name).sort(), 'nodes of the 2 replicas');
        const service = await webService(ctx);
        expectEqual(
          service.clusterIps.length,
          2,
          `ClusterIPs of ${WEB}, one per family (${service.clusterIps.join(', ')})`,
        );
        ctx.log(`${WEB}: ClusterIPs ${service.clusterIps.join(', ')}, NodePort ${service.nodePort}`);
      },
    },
    {
      name: "pods resolve kubernetes.default, the Service and each other's headless names (CoreDNS)",
      timeoutMs: 240_000,
      run: async (ctx) => {
        const [from, to] = ctx.plan.nodes.map((n) => n.name);
        const pod = podName(from ?? '');
        const kubernetesIps =
          (await ctx.kube.get(Service, SERVICE, 'kubernetes', 'default'))?.spec.clusterIPs ?? [];
        // busybox nslookup asks for the name as given (no search list): full names here; the
        // next step reaches the Service by its short name, through the pods' search list.
        await expectResolves(ctx, pod, 'kubernetes.default.svc.cluster.local', kubernetesIps);
        await expectResolves(
          ctx,
          pod,
          `${WEB}.${ctx.namespace}.svc.cluster.local`,
          (await webService(ctx)).clusterIps,
        );
        await expectResolves(
          ctx,
          pod,
          `${podName(to ?? '')}.${HEADLESS}.${ctx.namespace}.svc.cluster.local`,
          await podIps(ctx, to ?? ''),
        );
      },
    },
    {
      name: 'a third pod reaches the Service by its short name and by each ClusterIP, answered by both replicas',
      timeoutMs: 480_000,
      run: async (ctx) => {
        const pod = podName(ctx.plan.nodes[0]?.name ?? '');
        await expectBothReplicasAnswer(ctx, `${pod} -> ${WEB} by name`, () =>
          fetchFromPod(ctx, pod, WEB, 80),
        );
        for (const ip of (await webService(ctx)).clusterIps)
          await expectBothReplicasAnswer(ctx, `${pod} -> ${ip}`, () =>
            fetchFromPod(ctx, pod, urlHost(ip), 80),
          );
      },
    },
    {
      name: 'a node reaches the ClusterIPs, both families (kube-proxy)',
      timeoutMs: 240_000,
      run: async (ctx) => {
        const vm = ctx.plan.nodes[1]?.name ?? '';
        for (const ip of (await webService(ctx)).clusterIps)
          await expectBothReplicasAnswer(ctx, `${vm} -> ${ip}`, () =>
            fetchFromNode(ctx, vm, urlHost(ip), 80),
          );
      },
    },
    {
      name: "the NodePort answers on the other node's addresses, both families",
      timeoutMs: 240_000,
      run: async (ctx) => {
        const [from, to] = ctx.plan.nodes;
        if (!from || !to) throw new Error('this step needs two nodes');
        const { nodePort } = await webService(ctx);
        const targets = nodeAddresses(to)
          .filter((a) => a.net === 1)
          .map((a) => a.address);
        expectEqual(targets.length, 2, `${to.name}'s net-1 addresses, one per family`);
        for (const ip of targets)
          await expectBothReplicasAnswer(ctx, `${from.name} -> ${to.name} ${ip}:${nodePort}`, () =>
            fetchFromNode(ctx, from.name, urlHost(ip), nodePort),
          );
      },
    },
    {
      name: "a static pod runs from the kubelet's manifest directory, its mirror pod in the API",
      timeoutMs: 300_000,
      run: async (ctx) => {
        const vm = ctx.plan.nodes[1]?.name ?? '';
        const mirror = `${STATIC_POD}-${vm}`;
        await ctx.sh(vm, `cat > ${STATIC_MANIFEST}.tmp && mv ${STATIC_MANIFEST}.tmp ${STATIC_MANIFEST}`, {
          input: staticPodManifest(ctx.namespace),
        });
        // The kubelet reads the file, runs the pod, then reports its mirror: wait for all of it.
        const [mirrorPod] = (
          await ctx.kube.waitFor(
            Pod,
            POD,
            { namespace: ctx.namespace, fieldSelector: `metadata.name=${mirror}` },
            (pods) => pods.some((p) => isPodReady(p) && (p.status?.podIPs?.length ?? 0) > 0),
            { what: `mirror pod ${mirror} Ready with an address`, timeoutMs: 240_000 },
          )
        ).filter((p) => p.metadata.name === mirror);
        expectEqual(
          mirrorPod?.metadata.annotations?.['kubernetes.io/config.source'],
          'file',
          `${mirror}'s config source`,
        );
        const ip = mirrorPod?.status?.podIPs?.[0]?.ip;
        expectEqual(
          await fetchFromPod(ctx, podName(ctx.plan.nodes[0]?.name ?? ''), urlHost(ip ?? ''), WEB_PORT),
          mirror,
          `${mirror} answering`,
        );
        // Removing the file stops the pod, and the mirror pod goes from the API.
        await ctx.sh(vm, `rm -f ${STATIC_MANIFEST}`);
        await ctx.kube.waitFor(
          Pod,
          POD,
          { namespace: ctx.namespace, fieldSelector: `metadata.name=${mirror}` },
          (pods) => pods.length === 0,
          { what: `mirror pod ${mirror} gone`, timeoutMs: 120_000 },
        );
      },
    },
    {
      name: 'the image came from the lab registry',
      run: async (ctx) => {
        // containerd asks the mirror for docker.io's repository, saying so in ?ns=docker.io.
        const pulls = await ctx.sh(
          CONTROL,
          "grep -c '/v2/lab/toolbox/manifests/.*ns=docker.io.* 200 ' /var/log/lab/registry.log || true",
        );
        expectTrue(
          Number(pulls.trim()) >= 1,
          `the registry log on ${CONTROL} shows pulls of ${IMAGE} as docker.io`,
        );
      },
    },
    {
      name: 'the test pods are deleted cleanly',
      timeoutMs: 240_000,
      run: async (ctx) => {
        expectTrue(
          await ctx.kube.delete(DEPLOYMENT, WEB, ctx.namespace),
          `deployment ${WEB} was there to delete`,
        );
        for (const service of [WEB, HEADLESS])
          expectTrue(
            await ctx.kube.delete(SERVICE, service, ctx.namespace),
            `service ${service} was there to delete`,
          );
        // The Deployment's pods go by garbage collection: wait for them as for the probes.
        await deletePods(ctx, { label: 'app=k8s-scenario-web' });
        await deletePods(ctx, { label: 'app=k8s-scenario' });
        const left = await ctx.kube.list(Pod, POD, {
          namespace: ctx.namespace,
          labelSelector: 'app in (k8s-scenario, k8s-scenario-web)',
        });
        expectDeepEqual(
          left.map((p) => p.metadata.name),
          [],
          'pods left',
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
