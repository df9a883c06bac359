// `lab deploy NAME` for a daemon that runs as a DaemonSet (e.g. multus thick): the image is
// built with the developer's checkout in it (or as pinned), put into the lab registry, and the
// DaemonSet's containers that run that image are set to its digest, so every node pulls exactly
// this build (a tag that the nodes have cached would not be pulled again) and the DaemonSet
// rolls out. Done when every node runs the new pod, Ready.
import { buildFromCheckouts, checkoutBuilds, ensureArtifact } from '../artifacts/artifact.js';
import { checkCheckout } from '../artifacts/providers/checkout.js';
import { KubeApi } from '../cluster/kube-api.js';
import { KubeClient } from '../cluster/kube-client.js';
import { DAEMONSET, DaemonSet, isDaemonSetReady, POD, Pod } from '../cluster/kube-types.js';
import { normalizeImageRef } from '../cluster/lab-images.js';
import { readRegistryImage } from '../cluster/oci.js';
import { loadIntoRegistry } from '../cluster/registry-load.js';
import type { LabState } from '../lifecycle/state.js';
import { LabError } from '../util/errors.js';
import type { ImageDeployable } from './deployable.js';

/** A rollout under TCG: each node pulls the image and starts the daemon, one node at a time. */
const ROLLOUT_TIMEOUT_MS = 10 * 60_000;

interface Container {
  name: string;
  image: string;
}

/** The image built with the checkout's files (or the pinned ones), as the registry will hold it. */
async function buildImage(target: ImageDeployable, src: string | undefined, progress: (m: string) => void) {
  const { module } = target.artifact.checkout;
  const dir = src === undefined ? undefined : checkCheckout(src, module, '--src');
  buildFromCheckouts(new Map(dir === undefined ? [] : [[module, dir]]));
  try {
    const built = await ensureArtifact(target.images, progress);
    const version =
      checkoutBuilds().find((b) => b.artifact === target.artifact.name)?.version ??
      (await ensureArtifact(target.artifact)).version;
    const { repository, tag } = normalizeImageRef(target.image);
    const image = await readRegistryImage(built.dir, repository, tag);
    if (!image) throw new LabError(`${target.image} is missing from the built image set ${built.dir}`);
    return { image, version, source: dir ?? 'pinned' };
  } finally {
    buildFromCheckouts(new Map());
  }
}

export async function deployImage(
  state: LabState,
  target: ImageDeployable,
  src: string | undefined,
  progress: (line: string) => void,
) {
  const started = Date.now();
  const { image, version, source } = await buildImage(target, src, progress);
  const buildMs = Date.now() - started;
  progress(`loading ${target.image} (${version}, ${image.manifest.digest}) into the lab registry`);
  await loadIntoRegistry(state, [image]);

  const kube = new KubeClient(() => KubeApi.forLab(state));
  try {
    const { namespace, name } = target.daemonSet;
    const ds = await kube.get(DaemonSet, DAEMONSET, name, namespace);
    if (!ds) throw new LabError(`DaemonSet ${namespace}/${name} is not in the cluster`, 'is the lab up?');
    const { registry, repository } = normalizeImageRef(target.image);
    const pinned = `${registry}/${repository}@${image.manifest.digest}`;
    const spec = (ds as { spec?: { template?: { spec?: Record<string, Container[] | undefined> } } }).spec
      ?.template?.spec;
    // Every container and init container that runs this image (by repository, tag or digest).
    const runs = (c: Container) => normalizeImageRef(c.image).repository === repository;
    const patch = Object.fromEntries(
      (['containers', 'initContainers'] as const).map((field) => [
        field,
        (spec?.[field] ?? []).filter(runs).map((c) => ({ name: c.name, image: pinned })),
      ]),
    );
    if (patch.containers?.length === 0)
      throw new LabError(`DaemonSet ${namespace}/${name} runs no container of ${repository}`);
    progress(`rolling out DaemonSet ${namespace}/${name} to ${pinned}`);
    const applied = await kube.apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name, namespace },
      spec: { template: { spec: patch } },
    });
    const generation = (applied.metadata as { generation?: number }).generation ?? 1;
    await kube.waitFor(
      DaemonSet,
      DAEMONSET,
      { namespace, fieldSelector: `metadata.name=${name}` },
      ([d]) => d !== undefined && (d.status?.observedGeneration ?? 0) >= generation && isDaemonSetReady(d),
      {
        what: `DaemonSet ${namespace}/${name} rolled out`,
        timeoutMs: ROLLOUT_TIMEOUT_MS,
        describe: ([d]) =>
          `${d?.status?.updatedNumberScheduled ?? 0} of ${d?.status?.desiredNumberScheduled ?? '?'} updated, ${d?.status?.numberReady ?? 0} ready`,
      },
    );
    const copyMs = Date.now() - started - buildMs;
    // What each node now runs, as its kubelet reports it (the digest it pulled).
    const selector = (ds as { spec?: { selector?: { matchLabels?: Record<string, string> } } }).spec?.selector
      ?.matchLabels;
    const pods = await kube.list(Pod, POD, {
      namespace,
      labelSelector: Object.entries(selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    });
    const nodes = pods
      .filter((p) => p.metadata.deletionTimestamp === undefined)
      .map((p) => {
        const status = (p.status?.containerStatuses ?? []).find((c) =>
          String((c as { imageID?: string }).imageID ?? '').endsWith(image.manifest.digest),
        );
        return `${p.spec.nodeName ?? '?'}: pod ${p.metadata.name} ${status ? `runs ${image.manifest.digest}` : 'does not run the new image'}`;
      });
    return { record: { source, version, at: new Date().toISOString(), buildMs, copyMs }, nodes };
  } finally {
    await kube.close();
  }
}
