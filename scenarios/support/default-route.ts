// The developer's loop on a real case: multus v4.3.0 ignores a "default-route" in a pod's
// networks annotation (see multus-fix.ts). With the pinned build the pod's default route stays
// on eth0; `lab deploy multus --src` of a tree with our fix, and the next pod has its default
// route on the network it asked for; then the pinned build goes back. Thin (the plugin copied
// to the nodes) or thick (the daemon's image rolled out): the same steps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineScenario, type ScenarioContext } from '../../lab/scenario/define.js';
import { expectEqual } from '../../lab/scenario/expect.js';
import type { MULTUS_MODES } from '../../lab/topology/schema.js';
import { MULTUS_VERSION } from '../../overlays/cni/artifacts.js';
import { applyManifests, deletePods, idlePod, inPod, logReadyTimes, waitPodsReady } from './kube.js';
import { multusTreeWithRouteFix } from './multus-fix.js';
import { ownNamespaceStep, removeOwnNamespace } from './namespace.js';

/** host-local's gateway of NAD macvlan (10.4.0.0/16): what the pod asks to route through. */
const GATEWAY = '10.4.0.1';
const NETWORKS = JSON.stringify([{ name: 'macvlan', 'default-route': [GATEWAY] }]);

interface Route {
  dst: string;
  gateway?: string;
  dev: string;
}

const describeRoutes = (routes: Route[]) => routes.map((r) => `${r.gateway ?? '-'} dev ${r.dev}`).join('; ');

/** Runs a pod asking for its default route via macvlan (net1) and returns its IPv4 default routes. */
async function defaultRoutesOfNewPod(ctx: ScenarioContext, name: string): Promise<Route[]> {
  const node = ctx.plan.nodes[0]?.name ?? 'vm-001';
  await applyManifests(ctx, JSON.stringify(idlePod({ name, node, networks: NETWORKS })));
  try {
    logReadyTimes(ctx, await waitPodsReady(ctx, [name]));
    const routes = JSON.parse(
      await inPod(ctx, name, ['ip', '-4', '-j', 'route', 'show', 'default']),
    ) as Route[];
    ctx.log(`${name}: IPv4 default via ${describeRoutes(routes) || 'nothing (no default route)'}`);
    return routes;
  } finally {
    await deletePods(ctx, { names: [name] });
  }
}

export const defaultRouteScenario = (name: string, multus: (typeof MULTUS_MODES)[number]) =>
  defineScenario({
    name,
    description: `multus's default-route (${multus}): stays on eth0 with the pinned v4.3.0 (upstream bug), moves to net1 with a fix deployed from a local tree`,
    topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5], multus },
    overlays: ['multus'],
    // minutes under TCG: a Kubernetes boot, a multus build, two pods (thick: three rollouts too)
    weight: multus === 'thick' ? 30 : 20,
    steps: [
      ownNamespaceStep({ overlay: 'multus', names: ['macvlan'] }),
      {
        name: `with the pinned multus ${MULTUS_VERSION}, the default route stays on eth0 though the pod asks for net1`,
        timeoutMs: 600_000,
        run: async (ctx) => {
          const pinned = await ctx.host.deploy('multus');
          expectEqual(pinned.version, MULTUS_VERSION, 'the multus version on the nodes');
          const routes = await defaultRoutesOfNewPod(ctx, 'route-pinned');
          expectEqual(
            routes.map((r) => r.dev).join('; '),
            'eth0',
            'the interface of the IPv4 default route, pinned multus (upstream bug: the pod network keeps it)',
          );
        },
      },
      {
        name: 'multus built from a tree with our fix (lab deploy --src): the default route goes via net1',
        timeoutMs: 1_200_000,
        run: async (ctx) => {
          const scratch = await mkdtemp(join(tmpdir(), 'lab-route-fix-'));
          try {
            const tree = join(scratch, 'multus-cni');
            const version = await multusTreeWithRouteFix(tree);
            const fixed = await ctx.host.deploy('multus', tree);
            ctx.log(
              `deployed multus ${fixed.version}: build ${(fixed.buildMs / 1000).toFixed(1)} s, ${fixed.kind === 'image' ? 'rollout' : 'copy'} ${(fixed.copyMs / 1000).toFixed(1)} s`,
            );
            expectEqual(fixed.version, version, 'the multus version lab deploy reports');
            const routes = await defaultRoutesOfNewPod(ctx, 'route-fixed');
            expectEqual(
              describeRoutes(routes),
              `${GATEWAY} dev net1`,
              'IPv4 default route of a pod asking for one via net1, fixed multus',
            );
          } finally {
            await ctx.host.deploy('multus');
            await rm(scratch, { recursive: true, force: true });
          }
        },
      },
    ],
    cleanup: {
      name: "cleanup: the scenario's namespace is removed",
      timeoutMs: 300_000,
      run: removeOwnNamespace,
    },
  });
