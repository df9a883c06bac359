// lab images: the container images a lab's registry serves, built from Debian packages and lab
// artifacts. Every overlay may ship an image set (lab/cluster/lab-images.ts): this lists them all.
import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import { ensureArtifact } from '../../artifacts/artifact.js';
import { readImageArchive, writeOciArchive } from '../../cluster/image-archive.js';
import {
  type ImageSetSpec,
  imagesOfManifests,
  isImageSet,
  missingImages,
  normalizeImageRef,
} from '../../cluster/lab-images.js';
import { type BuiltImage, imageMiB, readRegistryImage } from '../../cluster/oci.js';
import { loadIntoRegistry } from '../../cluster/registry-load.js';
import { requireState } from '../../lifecycle/access.js';
import { listOverlayNames, loadOverlay } from '../../overlay/registry.js';
import { LabError, UsageError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import { nameOption } from '../options.js';

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

export function addImageCommands(program: Command): void {
  const image = program
    .command('image')
    .summary("put a user's images into a running lab's registry, or save lab-built images to a tar");
  image
    .command('load')
    .summary('load a docker-archive or OCI-layout tar into the lab registry under its own names')
    .description(
      'Reads the archive as docker save, podman save or skopeo copy (docker-archive: or ' +
        'oci-archive:) write it, checks every blob against its digest, and adds the images to the ' +
        'registry of a running lab (overlay private-reg), so pods pull them by the names they were ' +
        'saved under. A bad archive loads nothing. The images last as long as the lab.',
    )
    .argument('<archive>', 'a .tar of images')
    .addOption(nameOption())
    .action(async (archive, flags) => {
      const state = await requireState(flags.name);
      const images = await readImageArchive(archive);
      await loadIntoRegistry(state, images);
      for (const i of images) {
        console.log(
          `loaded ${i.repository}:${i.tag} (${i.layers.length} layers, ${imageMiB(i).toFixed(1)} MiB)`,
        );
      }
    });
  addImageSaveCommand(image);
}

function addImageSaveCommand(image: Command): void {
  image
    .command('save')
    .summary('write images the lab builds to an OCI-layout tar (as skopeo copy oci-archive: writes it)')
    .description(
      'Builds the named images if needed (lab images lists them) and writes them, under their ' +
        'full names, to one OCI-layout tar: what lab start --image and lab image load read, and ' +
        'what skopeo, podman load and ctr import take. No lab needs to run.',
    )
    .argument('<refs...>', 'image references, e.g. docker.io/flannel/flannel:v0.28.10')
    .requiredOption('-o, --output <file>', 'the tar to write')
    .action(async (refs, flags) => {
      const ui = createUi();
      const sets = await imageSets();
      const found: Array<{ name: string; image: BuiltImage }> = [];
      for (const ref of refs) {
        const { registry, repository, tag } = normalizeImageRef(ref);
        const owner = sets.find(({ set }) => missingImages([ref], set.images).length === 0);
        if (!owner)
          throw new UsageError(
            `lab image save: lab builds no image ${ref}`,
            `lab images lists the ones it builds: ${sets.flatMap(({ set }) => set.images.map((i) => i.ref)).join(', ')}`,
          );
        const built = await ui.phase(`images of ${owner.overlay}`, () =>
          ensureArtifact(owner.set, (m) => ui.info(`  ${m}`)),
        );
        const read = await readRegistryImage(built.dir, repository, tag);
        if (!read) throw new LabError(`${ref} is missing from the built image set ${built.dir}`);
        found.push({ name: `${registry}/${repository}:${tag}`, image: read });
      }
      await writeOciArchive(flags.output, found);
      for (const { name, image } of found) {
        console.log(
          `saved ${name} (${image.layers.length} layers, ${imageMiB(image).toFixed(1)} MiB) to ${flags.output}`,
        );
      }
    });
}
