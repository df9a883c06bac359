// What a user brings to a lab's boot: images from archives (lab start --image) for the lab
// registry, and manifests the control plane applies while it boots (--addon, when an overlay
// takes its part from them, e.g. a pod network from Calico's manifest). One more read-only
// layer on top of the overlays', cached by content: the snapshot key names it, so a changed
// manifest or image boots cold instead of restoring a lab made from the old one.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ensure } from '../artifacts/cache.js';
import { REGISTRY_STORAGE } from '../cluster/lab-images.js';
import { type BuiltImage, writeRegistryStore } from '../cluster/oci.js';
import { mksquashfs } from '../image/squashfs.js';
import { run } from '../util/exec.js';
import { inputKey, sha256 } from '../util/hash.js';
import type { Layer } from './layer.js';

/** The layer's name (and its mark in the name of a snapshot made with it). */
export const USER_LAYER = 'user';

/** The guest's addons unit applies every *.yaml of this directory (overlays/k8s). */
export const ADDONS_DIR = '/etc/kubernetes/addons';

export interface UserLayerInputs {
  /** Images read from the user's archives (lab/cluster/image-archive.ts). */
  images: readonly BuiltImage[];
  /** Manifests applied during the boot, in this order. */
  bootAddons: ReadonlyArray<{ file: string; text: string }>;
}

/**
 * Where each boot addon lands: after the overlays' own addons (kubectl applies a directory in
 * name order), numbered so that the user's order holds, named after the user's file.
 */
export function bootAddonPaths(files: readonly string[]): string[] {
  return files.map((file, index) => {
    const stem = basename(file, extname(file)).replace(/[^A-Za-z0-9._-]/g, '_');
    return `${ADDONS_DIR}/zz-user-${String(index + 1).padStart(2, '0')}-${stem}.yaml`;
  });
}

/** The layer, or undefined when the user brings nothing. */
export async function ensureUserLayer(inputs: UserLayerInputs): Promise<Layer | undefined> {
  const { images, bootAddons } = inputs;
  if (images.length === 0 && bootAddons.length === 0) return undefined;
  const paths = bootAddonPaths(bootAddons.map((a) => a.file));
  const keyInputs = {
    // Manifests name their config and layers by digest: the manifest digest is the image.
    images: images.map((i) => `${i.repository}:${i.tag}@${i.manifest.digest}`),
    addons: bootAddons.map((a, i) => ({ path: paths[i], text: sha256(a.text) })),
    format: 1,
  };
  const key = `user-${inputKey(keyInputs)}`;
  const entry = await ensure({
    kind: 'layers',
    key,
    description: "the user's images and boot addons",
    inputs: keyInputs,
    build: async (dir) => {
      const tree = join(dir, 'tree');
      await mkdir(join(tree, ADDONS_DIR), { recursive: true });
      if (images.length > 0) await writeRegistryStore(join(tree, REGISTRY_STORAGE), [...images]);
      for (const [index, addon] of bootAddons.entries())
        await writeFile(join(tree, paths[index] ?? ''), addon.text);
      await mksquashfs(tree, join(dir, 'layer.sqfs'), { allRoot: true });
      await run(['rm', '-rf', tree]);
    },
  });
  return { name: USER_LAYER, path: join(entry.dir, 'layer.sqfs'), key, artifacts: {} };
}
