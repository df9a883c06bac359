// lab start --addon FILE: a user's manifests (a network add-on such as Calico's, its images
// served by the lab registry) applied once the lab's API is up; lab start ends when their
// DaemonSets and Deployments are ready, as it does for the lab's own addons.
import { readFile } from 'node:fs/promises';
import type { LabState } from '../lifecycle/state.js';
import type { Overlay } from '../overlay/registry.js';
import { UsageError } from '../util/errors.js';
import type { Ui } from '../util/ui.js';
import { KubeApi } from './kube-api.js';
import { KubeClient, manifestObjects } from './kube-client.js';
import {
  DAEMONSET,
  DaemonSet,
  DEPLOYMENT,
  Deployment,
  isDaemonSetReady,
  isRolledOut,
  type KubeObject,
} from './kube-types.js';
import { imagesOfManifests, isImageSet, type LabImage, missingImages } from './lab-images.js';

export interface Addon {
  file: string;
  objects: KubeObject[];
}

/** The images the lab's overlays put into its registry. */
export function servedImages(overlays: readonly Overlay[]): LabImage[] {
  return overlays
    .flatMap((o) => o.manifest.artifacts.map((use) => use.artifact))
    .flatMap((artifact) => (isImageSet(artifact) ? artifact.images : []));
}

/** Reads and checks the files before anything starts: each mistake names its file. */
export async function readAddons(files: readonly string[], overlays: readonly Overlay[]): Promise<Addon[]> {
  if (files.length > 0 && !overlays.some((o) => o.manifest.name === 'k8s'))
    throw new UsageError(
      '--addon: this lab runs no Kubernetes',
      'add it to a Kubernetes lab, e.g. lab start multus --addon FILE',
    );
  const served = servedImages(overlays);
  const addons: Addon[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`--addon ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    let objects: KubeObject[];
    try {
      objects = manifestObjects(text);
    } catch (err) {
      throw new UsageError(
        `--addon ${file}: ${(err as Error).message}`,
        'a file of Kubernetes manifests (YAML or JSON)',
      );
    }
    if (objects.length === 0) throw new UsageError(`--addon ${file}: no Kubernetes objects in it`);
    const missing = missingImages(imagesOfManifests(text), served);
    if (missing.length > 0)
      throw new UsageError(
        `--addon ${file}: the lab registry does not serve ${missing.join(', ')} (there is no internet in a lab)`,
        'lab images lists what it serves',
      );
    addons.push({ file, objects });
  }
  return addons;
}

/** Applies the addons in order, then waits for their DaemonSets and Deployments. */
export async function applyAddons(state: LabState, addons: readonly Addon[], ui: Ui, timeoutMs = 600_000) {
  const kube = new KubeClient(() => KubeApi.forLab(state));
  try {
    for (const addon of addons) {
      await ui.phase(`addon ${addon.file}`, async () => {
        for (const object of addon.objects) await kube.apply(object);
        for (const object of addon.objects) {
          const namespace = object.metadata.namespace ?? 'default';
          const query = { namespace, fieldSelector: `metadata.name=${object.metadata.name}` };
          const what = `${object.kind} ${namespace}/${object.metadata.name} ready`;
          if (object.kind === 'DaemonSet')
            await kube.waitFor(DaemonSet, DAEMONSET, query, (ds) => ds.some(isDaemonSetReady), {
              what,
              timeoutMs,
              describe: (ds) => JSON.stringify(ds.map((d) => d.status ?? {})),
            });
          else if (object.kind === 'Deployment')
            await kube.waitFor(Deployment, DEPLOYMENT, query, (ds) => ds.some(isRolledOut), {
              what,
              timeoutMs,
            });
          else continue;
          ui.info(`  ${what}`);
        }
      });
    }
  } finally {
    await kube.close();
  }
}
