// Kubernetes in the lab (issue: Kubernetes inside the VMs): both nodes Ready, a test pod
// pinned to each node gets addresses from its node's podCIDRs (both families), the pods
// reach each other across the nodes, kubectl exec works, and the image came from the lab's
// own registry (there is no internet in a lab, so it must have).
import { defineScenario, type ScenarioContext } from '../lab/scenario/define.js';
import { expectDeepEqual, expectEqual, expectTrue } from '../lab/scenario/expect.js';
import { addressInRange, cidrRange } from '../lab/scenario/netcheck.js';
import { applyManifests, CONTROL, deletePods, kubectl, waitPodsReady } from './support/kube.js';

const IMAGE = 'docker.io/lab/toolbox:1';
const podName = (node: string) => `probe-${node}`;

function podManifest(node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName(node), labels: { app: 'k8s-scenario' } },
    spec: {
      nodeName: node,
      containers: [{ name: 'toolbox', image: IMAGE }],
      terminationGracePeriodSeconds: 1,
    },
  });
}

async function podIps(ctx: ScenarioContext, node: string): Promise<string[]> {
  return JSON.parse(await kubectl(ctx, `get pod ${podName(node)} -o jsonpath='{.status.podIPs}'`)).map(
    (entry: { ip: string }) => entry.ip,
  );
}

export default defineScenario({
  name: 'k8s',
  description:
    'Kubernetes: nodes Ready, a pod per node with addresses from its podCIDRs, cross-node pod ping both families, exec, image from the lab registry',
  topology: { nvm: 2 },
  overlays: ['xcluster-cni', 'private-reg'],
  steps: [
    {
      name: 'both nodes are Ready',
      timeoutMs: 300_000,
      run: async (ctx) => {
        const names = ctx.plan.nodes.map((n) => n.name);
        await ctx.retryUntil(
          `nodes ${names.join(', ')} Ready`,
          async () => {
            const ready = await kubectl(
              ctx,
              `get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}'`,
            );
            const notReady = names.filter((n) => !ready.includes(`${n}=True`));
            if (notReady.length > 0) throw new Error(`not Ready: ${notReady.join(', ')} (${ready.trim()})`);
          },
          { timeoutMs: 280_000, intervalMs: 5000 },
        );
      },
    },
    {
      name: 'a test pod pinned to each node runs',
      timeoutMs: 420_000,
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) await applyManifests(ctx, podManifest(node.name));
        // A first pull under TCG takes minutes.
        await waitPodsReady(ctx, '-l app=k8s-scenario');
        for (const node of ctx.plan.nodes)
          expectEqual(
            (await kubectl(ctx, `get pod ${podName(node.name)} -o jsonpath='{.spec.nodeName}'`)).trim(),
            node.name,
            `node of ${podName(node.name)}`,
          );
      },
    },
    {
      name: "each pod's addresses lie in its node's podCIDRs, one per family",
      run: async (ctx) => {
        for (const node of ctx.plan.nodes) {
          const cidrs = JSON.parse(
            await kubectl(ctx, `get node ${node.name} -o jsonpath='{.spec.podCIDRs}'`),
          ) as string[];
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
      name: 'the pods ping each other across the nodes, IPv4 and IPv6 (kubectl exec)',
      timeoutMs: 180_000,
      run: async (ctx) => {
        for (const from of ctx.plan.nodes) {
          for (const to of ctx.plan.nodes.filter((n) => n.id !== from.id)) {
            for (const ip of await podIps(ctx, to.name)) {
              await ctx.retryUntil(
                `${podName(from.name)} reaching ${ip}`,
                () => kubectl(ctx, `exec ${podName(from.name)} -- ping -c1 -W3 ${ip}`),
                { timeoutMs: 60_000, intervalMs: 2000 },
              );
              ctx.log(`${podName(from.name)} -> ${podName(to.name)} ${ip}: ok`);
            }
          }
        }
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
      timeoutMs: 180_000,
      run: async (ctx) => {
        await deletePods(ctx, '-l app=k8s-scenario');
        expectDeepEqual((await kubectl(ctx, 'get pods -l app=k8s-scenario -o name')).trim(), '', 'pods left');
      },
    },
  ],
});
