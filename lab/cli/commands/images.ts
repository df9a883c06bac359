// lab images: the container images a lab's registry serves, built from Debian packages and lab
// artifacts. Every overlay may ship an image set (lab/cluster/lab-images.ts): this lists them all.
import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { ensureArtifact } from '../../artifacts/artifact.js';
import { type ImageSetSpec, imagesOfManifests, missingImages } from '../../cluster/lab-images.js';
import { listOverlayNames, loadOverlay } from '../../overlay/registry.js';
import { LabError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';

const isImageSet = (artifact: object): artifact is ImageSetSpec =>
  Array.isArray((artifact as ImageSetSpec).images);

/** Every overlay's image sets, with the overlay that ships each. */
async function imageSets(): Promise<Array<{ overlay: string; set: ImageSetSpec }>> {
  const sets: Array<{ overlay: string; set: ImageSetSpec }> = [];
  for (const name of await listOverlayNames()) {
    const overlay = await loadOverlay(name);
    for (const use of overlay.manifest.artifacts)
      if (isImageSet(use.artifact)) sets.push({ overlay: name, set: use.artifact });
  }
  return sets;
}

export function addImagesCommand(program: Command): void {
  program
    .command('images')
    .summary(
      "build and list the images the lab registry serves (overlay private-reg), or check manifests' images",
    )
    .description(
      'Builds the images from Debian packages and lab-built programs (no internet, no container ' +
        'engine) into the registry storage that overlay private-reg serves on vm-001:5000; ' +
        'containerd in every VM pulls docker.io, registry.k8s.io, ghcr.io and quay.io through it, ' +
        'so manifests keep their usual image names. Overlays add their own (e.g. coredns). With ' +
        '--check, lists the images of Kubernetes manifests that the lab does not serve (exit 1), ' +
        'before any pod waits for them.',
    )
    .option('--check <files...>', 'YAML/JSON manifests whose images must all be served')
    .action(async (flags) => {
      const sets = await imageSets();
      const served = sets.flatMap(({ set }) => set.images);
      if (flags.check) {
        const refs: string[] = [];
        for (const file of flags.check) {
          const text = await readFile(file, 'utf8').catch((err: Error) => {
            throw new LabError(`cannot read ${file}: ${err.message}`);
          });
          refs.push(...imagesOfManifests(text));
        }
        const missing = missingImages(refs, served);
        if (missing.length > 0)
          throw new LabError(
            `not served by the lab registry: ${missing.join(', ')}`,
            'the lab has no internet: use one of `lab images`, or add the image to an image set (LAB_IMAGES in lab/cluster/lab-images.ts, or an overlay of your own)',
          );
        console.log(`all ${refs.length} image(s) are served: ${refs.join(', ')}`);
        return;
      }
      const ui = createUi();
      for (const { overlay, set } of sets) {
        const built = await ui.phase(`images of ${overlay}`, () =>
          ensureArtifact(set, (m) => ui.info(`  ${m}`)),
        );
        for (const image of set.images) {
          const from = [
            image.packages.length > 0 ? `Debian: ${image.packages.join(' ')}` : '',
            ...(image.files ?? []).map((f) =>
              'artifact' in f ? `lab artifact ${f.artifact.name}` : f.hostFile,
            ),
          ].filter(Boolean);
          console.log(`${image.ref.padEnd(42)} ${from.join('; ')} (overlay ${overlay})`);
        }
        console.log(`registry storage of ${overlay}: ${built.dir}`);
      }
    });
}
