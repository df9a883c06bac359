// A scenario's own namespace (ctx.namespace, lab-<scenario>): its pods, Services and copies of
// the lab's NADs go there, so a run neither trips over what people made in the lab (a user's
// NADs or pods of the same names) nor leaves anything behind; the cleanup deletes it whole.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { manifestObjects } from '../../lab/cluster/kube-client.js';
import { KubeObject, NAD, NAMESPACE } from '../../lab/cluster/kube-types.js';
import { loadOverlay } from '../../lab/overlay/registry.js';
import { ADDONS_DIR } from '../../lab/overlay/user-layer.js';
import type { ScenarioContext, Step } from '../../lab/scenario/define.js';

/** Marks a namespace as a scenario's: only such a namespace is ever deleted by one. */
const OWNER_LABEL = 'lab.scenario';

/** The NADs an overlay puts in the lab (its addons), by name: the definitions the lab ships. */
export async function overlayNads(overlay: string): Promise<Map<string, KubeObject>> {
  const dir = join((await loadOverlay(overlay)).dir, 'root', ADDONS_DIR);
  const nads = new Map<string, KubeObject>();
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort())
    for (const object of manifestObjects(await readFile(join(dir, file), 'utf8')))
      if (object.kind === NAD.kind) nads.set(object.metadata.name, object);
  return nads;
}

const isScenarios = (namespace: KubeObject) => namespace.metadata.labels?.[OWNER_LABEL] !== undefined;

async function waitGone(ctx: ScenarioContext, name: string): Promise<void> {
  await ctx.kube.waitFor(
    KubeObject,
    NAMESPACE,
    { fieldSelector: `metadata.name=${name}` },
    (all) => !all.some((n) => n.metadata.name === name),
    { what: `namespace ${name} deleted`, timeoutMs: 240_000 },
  );
}

/**
 * Makes ctx.namespace afresh (a leftover of an interrupted run is deleted first; a namespace of
 * that name the lab did not make is an error, never touched) and copies `nads` of overlay
 * `overlay` into it: the same CNI config, so IPAM state is shared with the lab's own.
 */
export async function makeOwnNamespace(
  ctx: ScenarioContext,
  nads: { overlay: string; names: readonly string[] } | undefined,
): Promise<void> {
  const name = ctx.namespace;
  const existing = await ctx.kube.get(KubeObject, NAMESPACE, name);
  if (existing) {
    if (!isScenarios(existing))
      throw new Error(
        `namespace ${name} exists and is not a scenario's: delete it (lab kubectl delete namespace ${name}) or run the scenario on another lab`,
      );
    ctx.log(`namespace ${name} is left from an earlier run: deleting it first`);
    await ctx.kube.delete(NAMESPACE, name);
    await waitGone(ctx, name);
  }
  await ctx.kube.apply({
    ...NAMESPACE,
    metadata: { name, labels: { [OWNER_LABEL]: name.replace(/^lab-/, '') } },
  });
  if (!nads) return;
  const shipped = await overlayNads(nads.overlay);
  for (const nad of nads.names) {
    const definition = shipped.get(nad);
    if (!definition)
      throw new Error(
        `overlay ${nads.overlay} ships no NAD ${nad} (it has ${[...shipped.keys()].join(', ')})`,
      );
    await ctx.kube.apply({ ...definition, metadata: { name: nad, namespace: name } });
  }
  ctx.log(`namespace ${name}${nads.names.length > 0 ? ` with NADs ${nads.names.join(', ')}` : ''}`);
}

/** A step that makes the scenario's namespace, with its copies of the lab's NADs: before anything goes in it. */
export function ownNamespaceStep(nads?: { overlay: string; names: readonly string[] }): Step {
  const what = nads ? ` with copies of overlay ${nads.overlay}'s NADs ${nads.names.join(', ')}` : '';
  return {
    name: `the scenario's own namespace${what}`,
    timeoutMs: 300_000,
    run: (ctx) => makeOwnNamespace(ctx, nads),
  };
}

/**
 * Deletes the scenario's namespace with everything in it and waits until it is gone; one of that
 * name the scenario did not make stays.
 */
export async function removeOwnNamespace(ctx: ScenarioContext): Promise<void> {
  const started = Date.now();
  const existing = await ctx.kube.get(KubeObject, NAMESPACE, ctx.namespace);
  if (!existing || !isScenarios(existing)) return;
  await ctx.kube.delete(NAMESPACE, ctx.namespace);
  await waitGone(ctx, ctx.namespace);
  ctx.log(`namespace ${ctx.namespace} removed: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
