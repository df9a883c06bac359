// lab images: the container images a lab's registry serves, built from Debian packages and lab
// artifacts. Every overlay may ship an image set (lab/cluster/lab-images.ts): this lists them all.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { execa } from 'execa';
import { ensureArtifact } from '../../artifacts/artifact.js';
import { controlPlaneNode } from '../../cluster/certs.js';
import { readImageArchive } from '../../cluster/image-archive.js';
import {
  type ImageSetSpec,
  imagesOfManifests,
  isImageSet,
  missingImages,
  REGISTRY_STORAGE,
} from '../../cluster/lab-images.js';
import { writeRegistryStore } from '../../cluster/oci.js';
import { requireState, sshTarget } from '../../lifecycle/access.js';
import { listOverlayNames, loadOverlay } from '../../overlay/registry.js';
import { LabError, UsageError } from '../../util/errors.js';
import { createUi } from '../../util/ui.js';
import { sshExec } from '../../vm/ssh.js';
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

export function addImageLoadCommand(program: Command): void {
  const image = program
    .command('image')
    .summary("put a user's images into a running lab's registry (lab image load ARCHIVE)");
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
      if (!state.overlays.includes('private-reg'))
        throw new UsageError(
          `lab "${state.name}" has no registry`,
          'overlay private-reg has one, e.g. lab start multus',
        );
      const images = await readImageArchive(archive);
      const store = await mkdtemp(join(tmpdir(), 'lab-image-store-'));
      try {
        await writeRegistryStore(store, images);
        const tar = await execa('tar', ['-C', store, '-cf', '-', 'docker'], { encoding: 'buffer' });
        // private-reg runs its registry on the control-plane node.
        const registryVm = controlPlaneNode(state.plan).name;
        const result = await sshExec(await sshTarget(state, registryVm), `tar -x -C ${REGISTRY_STORAGE}`, {
          input: Buffer.from(tar.stdout),
          timeoutMs: 600_000,
        });
        if (result.code !== 0)
          throw new LabError(`copying the images to ${registryVm} failed: ${result.stderr.trim()}`);
      } finally {
        await rm(store, { recursive: true, force: true });
      }
      for (const i of images) {
        const mib = [i.config, ...i.layers].reduce((sum, b) => sum + b.data.length, 0) / 2 ** 20;
        console.log(`loaded ${i.repository}:${i.tag} (${i.layers.length} layers, ${mib.toFixed(1)} MiB)`);
      }
    });
}
