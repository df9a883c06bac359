// lab start --addon FILE: a user's manifests (a network add-on such as Calico's, its images
// served by the lab registry, from the lab's image sets or the user's --image archives) applied
// once the lab's API is up, or during the boot when an overlay takes its part from them
// (bootAddons: the pod network of overlay addon); lab start ends when their DaemonSets and
// Deployments are ready, as it does for the lab's own addons.
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
  text: string;
  objects: KubeObject[];
}

/** The overlay of the lab whose part comes from the user's addons, applied at boot. */
export function bootAddonsOverlay(overlays: readonly Overlay[]): Overlay | undefined {
  return overlays.find((o) => o.manifest.bootAddons !== undefined);
}

/** The images the lab's overlays put into its registry. */
export function servedImages(overlays: readonly Overlay[]): LabImage[] {
  return overlays
    .flatMap((o) => o.manifest.artifacts.map((use) => use.artifact))
    .flatMap((artifact) => (isImageSet(artifact) ? artifact.images : []));
}

/**
 * Reads and checks the files before anything starts: each mistake names its file. `brought`:
 * the images of the user's --image archives, served too.
 */
export async function readAddons(
  files: readonly string[],
  overlays: readonly Overlay[],
  brought: ReadonlyArray<Pick<LabImage, 'repository' | 'tag'>> = [],
): Promise<Addon[]> {
  if (files.length > 0 && !overlays.some((o) => o.manifest.name === 'k8s'))
    throw new UsageError(
      '--addon: this lab runs no Kubernetes',
      'add it to a Kubernetes lab, e.g. lab start multus --addon FILE',
    );
  const atBoot = bootAddonsOverlay(overlays);
  if (atBoot && files.length === 0)
    throw new UsageError(
      `overlay ${atBoot.manifest.name} takes ${atBoot.manifest.bootAddons} from your manifests, and no --addon names one`,
      `give them with --addon FILE (and their images with --image ARCHIVE), e.g. lab start k8s --pod-network ${atBoot.manifest.name} --addon calico.yaml --image calico-images.tar`,
    );
  const served = [...servedImages(overlays), ...brought];
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
        'lab images lists what it serves; bring others with --image ARCHIVE (docker save, podman save or skopeo copy write one)',
      );
    addons.push({ file, text, objects });
  }
  return addons;
}

/**
 * Applies the addons in order (unless the boot applied them already), then waits for their
 * DaemonSets and Deployments.
 */
export async function applyAddons(
  state: LabState,
  addons: readonly Addon[],
  ui: Ui,
  options: { appliedAtBoot: boolean; timeoutMs?: number },
) {
  const { timeoutMs = 600_000 } = options;
  const kube = new KubeClient(() => KubeApi.forLab(state));
  try {
    for (const addon of addons) {
      await ui.phase(`addon ${addon.file}`, async () => {
        if (!options.appliedAtBoot) for (const object of addon.objects) await kube.apply(object);
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
