// Kubernetes for scenarios through the lab's typed client (ctx.kube): manifests applied only
// once every image they name is one the lab registry serves (without internet a missing image
// would leave pods waiting forever), waits that watch, exec with argument lists.

import { manifestObjects } from '../../lab/cluster/kube-client.js';
import {
  conditionSince,
  isNodeReady,
  isPodReady,
  NODE,
  Node,
  POD,
  Pod,
} from '../../lab/cluster/kube-types.js';
import { imagesOfManifests, missingImages } from '../../lab/cluster/lab-images.js';
import { CommandFailure, type ScenarioContext } from '../../lab/scenario/define.js';
import { pingAllArgv, unanswered } from './ping.js';

export const CONTROL = 'vm-001';

/**
 * Applies manifests of namespaced objects (YAML or JSON text, server-side apply) after checking
 * their images are served; objects that name no namespace go into the scenario's own.
 */
export async function applyManifests(ctx: ScenarioContext, text: string): Promise<void> {
  const missing = missingImages(imagesOfManifests(text));
  if (missing.length > 0)
    throw new Error(
      `not served by the lab registry (pods would wait for them forever): ${missing.join(', ')}; see lab images`,
    );
  for (const object of manifestObjects(text))
    await ctx.kube.apply({
      ...object,
      metadata: { ...object.metadata, namespace: object.metadata.namespace ?? ctx.namespace },
    });
}

/**
 * A pod that idles on `node` (alpine; it stops at once on delete), with multus's networks
 * annotation when `networks` is given (a list of names or the annotation's JSON). No namespace:
 * applyManifests puts it in the scenario's (a static pod's file must name it).
 */
export function idlePod(spec: {
  name: string;
  node?: string;
  networks?: string;
  labels?: Record<string, string>;
}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      ...(spec.labels ? { labels: spec.labels } : {}),
      ...(spec.networks ? { annotations: { 'k8s.v1.cni.cncf.io/networks': spec.networks } } : {}),
    },
    spec: {
      ...(spec.node ? { nodeName: spec.node } : {}),
      containers: [
        {
          name: 'alpine',
          image: 'alpine',
          command: ['/bin/ash', '-c', 'trap : TERM INT; sleep 2000000 & wait'],
        },
      ],
      terminationGracePeriodSeconds: 1,
    },
  };
}

/** One pod, which must exist. */
export async function getPod(ctx: ScenarioContext, name: string): Promise<Pod> {
  const pod = await ctx.kube.get(Pod, POD, name, ctx.namespace);
  if (!pod) throw new Error(`pod ${ctx.namespace}/${name} does not exist`);
  return pod;
}

function podsState(pods: Pod[]): string {
  if (pods.length === 0) return 'no pods';
  return pods
    .map((p) => {
      const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting?.reason;
      return `${p.metadata.name} ${p.status?.phase ?? 'unknown'}${waiting ? ` (${waiting})` : ''}${isPodReady(p) ? ' Ready' : ''}`;
    })
    .join(', ');
}

/** Waits (watching, not polling) until every named pod exists and is Ready; returns those pods. */
export async function waitPodsReady(
  ctx: ScenarioContext,
  names: readonly string[],
  timeoutSec = 380,
): Promise<Pod[]> {
  const wanted = new Set(names);
  const pods = await ctx.kube.waitFor(
    Pod,
    POD,
    { namespace: ctx.namespace },
    (pods) => names.every((n) => pods.some((p) => p.metadata.name === n && isPodReady(p))),
    {
      what: `pods ${names.join(', ')} Ready`,
      timeoutMs: timeoutSec * 1000,
      describe: (pods) => podsState(pods.filter((p) => wanted.has(p.metadata.name))),
    },
  );
  return pods.filter((p) => wanted.has(p.metadata.name));
}

/** Waits (watching) until every node of the lab is Ready. */
export async function waitNodesReady(ctx: ScenarioContext, timeoutSec = 280): Promise<void> {
  const names = ctx.plan.nodes.map((n) => n.name);
  await ctx.kube.waitFor(
    Node,
    NODE,
    {},
    (nodes) => names.every((n) => nodes.some((node) => node.metadata.name === n && isNodeReady(node))),
    {
      what: `nodes ${names.join(', ')} Ready`,
      timeoutMs: timeoutSec * 1000,
      describe: (nodes) =>
        nodes.map((n) => `${n.metadata.name} ${isNodeReady(n) ? 'Ready' : 'NotReady'}`).join(', '),
    },
  );
}

export type PodSelector = { names: readonly string[] } | { label: string };

/** Deletes the selected pods and waits until they are gone; logs how long it took. */
export async function deletePods(ctx: ScenarioContext, selector: PodSelector): Promise<void> {
  const started = Date.now();
  const query =
    'label' in selector
      ? { namespace: ctx.namespace, labelSelector: selector.label }
      : { namespace: ctx.namespace };
  const names =
    'names' in selector ? selector.names : (await ctx.kube.list(Pod, POD, query)).map((p) => p.metadata.name);
  for (const name of names) await ctx.kube.delete(POD, name, ctx.namespace);
  await ctx.kube.waitFor(Pod, POD, query, (pods) => !pods.some((p) => names.includes(p.metadata.name)), {
    what: `pods ${names.join(', ')} deleted`,
    timeoutMs: 240_000, // a pod on a loaded vm-001 took 150 s to go under TCG
    describe: (pods) => podsState(pods.filter((p) => names.includes(p.metadata.name))),
  });
  ctx.log(`deleted ${names.join(', ') || 'no pods'}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Logs each pod's created -> Ready time as the API server recorded it: where a slow step went. */
export function logReadyTimes(ctx: ScenarioContext, pods: readonly Pod[]): void {
  for (const pod of pods) {
    const created = Date.parse(pod.metadata.creationTimestamp ?? '');
    const ready = conditionSince(pod, 'Ready');
    ctx.log(
      `${pod.metadata.name}: created -> Ready ${ready === undefined ? '?' : (ready - created) / 1000} s (API server clock)`,
    );
  }
}

/** Runs a word list in a pod; throws CommandFailure on a non-zero exit, returns stdout. */
export async function inPod(
  ctx: ScenarioContext,
  pod: string,
  command: readonly string[],
  timeoutMs = 120_000,
): Promise<string> {
  const result = await ctx.kube.exec(pod, command, { namespace: ctx.namespace, timeoutMs });
  if (result.code !== 0) throw new CommandFailure(`pod ${pod}`, command.join(' '), result);
  return result.stdout;
}

/**
 * Pings each target once from `pod`, all in one exec; returns those that did not answer. The
 * targets are the script's arguments, so no address is ever pasted into shell text.
 */
export async function unreachableFrom(
  ctx: ScenarioContext,
  pod: string,
  targets: readonly string[],
  waitSec = 2,
): Promise<string[]> {
  return unanswered(await inPod(ctx, pod, pingAllArgv(targets, { waitSec })));
}

/** Retries until `pod` reaches every target (IPv6 answers once DAD is done); logs how long it took. */
export async function expectReaches(
  ctx: ScenarioContext,
  pod: string,
  targets: readonly string[],
  timeoutMs = 90_000,
): Promise<void> {
  const started = Date.now();
  await ctx.retryUntil(
    `${pod} reaching ${targets.join(' ')}`,
    async () => {
      const missing = await unreachableFrom(ctx, pod, targets);
      if (missing.length > 0) throw new Error(`no answer from ${missing.join(', ')}`);
    },
    { timeoutMs, intervalMs: 2000 },
  );
  ctx.log(`${pod} reached ${targets.join(' ')} (${Date.now() - started} ms)`);
}

/** Waits (watching) until every node runs a Ready pod of a kube-system DaemonSet; logs them. */
export async function waitDaemonPodsReady(
  ctx: ScenarioContext,
  labelSelector: string,
  timeoutSec = 240,
): Promise<void> {
  const names = ctx.plan.nodes.map((n) => n.name);
  const where = (pods: Pod[]) => pods.map((p) => `${p.metadata.name} on ${p.spec.nodeName}`).join(', ');
  const pods = await ctx.kube.waitFor(
    Pod,
    POD,
    { namespace: 'kube-system', labelSelector },
    (pods) => names.every((n) => pods.some((p) => p.spec.nodeName === n && isPodReady(p))),
    {
      what: `a Ready ${labelSelector} pod on ${names.join(', ')}`,
      timeoutMs: timeoutSec * 1000,
      describe: where,
    },
  );
  ctx.log(where(pods.filter((p) => isPodReady(p))));
}
