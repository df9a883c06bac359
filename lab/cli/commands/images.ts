// lab images: the container images a lab's registry serves, built from Debian packages.
import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { ensureArtifact } from '../../artifacts/artifact.js';
import { imagesOfManifests, LAB_IMAGES, labImages, missingImages } from '../../cluster/lab-images.js';
import { LabError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';

export function addImagesCommand(program: Command): void {
  program
    .command('images')
    .summary(
      "build and list the images the lab registry serves (overlay private-reg), or check manifests' images",
    )
    .description(
      'Builds the images from Debian packages (no internet, no container engine) into the ' +
        'registry storage that overlay private-reg serves on vm-001:5000; containerd in every VM ' +
        'pulls docker.io, registry.k8s.io, ghcr.io and quay.io through it, so manifests keep their ' +
        'usual image names. With --check, lists the images of Kubernetes manifests that the lab ' +
        'does not serve (exit 1), before any pod waits for them.',
    )
    .option('--check <files...>', 'YAML/JSON manifests whose images must all be served')
    .action(async (flags) => {
      if (flags.check) {
        const refs: string[] = [];
        for (const file of flags.check) {
          const text = await readFile(file, 'utf8').catch((err: Error) => {
            throw new LabError(`cannot read ${file}: ${err.message}`);
          });
          refs.push(...imagesOfManifests(text));
        }
        const missing = missingImages(refs);
        if (missing.length > 0)
          throw new LabError(
            `not served by the lab registry: ${missing.join(', ')}`,
            'the lab has no internet: use one of `lab images` or add the image to LAB_IMAGES in lab/cluster/lab-images.ts',
          );
        console.log(`all ${refs.length} image(s) are served: ${refs.join(', ')}`);
        return;
      }
      const ui = createUi();
      const built = await ui.phase('images', () => ensureArtifact(labImages, (m) => ui.info(`  ${m}`)));
      for (const image of LAB_IMAGES)
        console.log(`${image.ref.padEnd(42)} Debian: ${image.packages.join(' ')}`);
      console.log(`registry storage: ${built.dir}`);
    });
}
