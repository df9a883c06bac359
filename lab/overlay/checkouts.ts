// `lab start --src DIR`: which of a lab's artifacts a developer's checkout replaces. The
// checkout's go.mod names its module; every artifact of the lab's overlays (images' files
// included) that declares that module as its `checkout` is then built from DIR.
import { resolve } from 'node:path';
import type { ArtifactSpec } from '../artifacts/artifact.js';
import { checkoutModule } from '../artifacts/providers/checkout.js';
import { isImageSet } from '../cluster/lab-images.js';
import { UsageError } from '../util/errors.js';
import type { Overlay } from './registry.js';

/** Every artifact the overlays put into the image, images' own files included. */
function labArtifacts(overlays: Overlay[]): ArtifactSpec[] {
  return overlays.flatMap((overlay) =>
    overlay.manifest.artifacts.flatMap(({ artifact }) => [
      artifact,
      ...(isImageSet(artifact)
        ? artifact.images.flatMap((image) =>
            (image.files ?? []).flatMap((f) => ('artifact' in f ? [f.artifact] : [])),
          )
        : []),
    ]),
  );
}

/** Module → names of the lab's artifacts a checkout of it can replace. */
export function checkoutModules(overlays: Overlay[]): Map<string, string[]> {
  const modules = new Map<string, string[]>();
  for (const artifact of labArtifacts(overlays)) {
    if (!artifact.checkout) continue;
    const names = modules.get(artifact.checkout.module) ?? [];
    if (!names.includes(artifact.name)) names.push(artifact.name);
    modules.set(artifact.checkout.module, names);
  }
  return modules;
}

/** The --src directories as module → directory, each checked against what the lab builds. */
export function resolveCheckouts(dirs: string[], overlays: Overlay[]): Map<string, string> {
  const modules = checkoutModules(overlays);
  const usable = () =>
    [...modules].map(([module, names]) => `${module} (${names.join(', ')})`).join('; ') ||
    "none (this lab's overlays build nothing from a Go checkout)";
  const chosen = new Map<string, string>();
  for (const dir of dirs) {
    const module = checkoutModule(dir);
    if (module === undefined)
      throw new UsageError(`--src ${dir}: no go.mod there`, `checkouts this lab can use: ${usable()}`);
    if (!modules.has(module))
      throw new UsageError(
        `--src ${dir}: this lab builds nothing from module ${module}`,
        `checkouts this lab can use: ${usable()}`,
      );
    const earlier = chosen.get(module);
    if (earlier !== undefined)
      throw new UsageError(`--src ${dir}: module ${module} already comes from --src ${earlier}`);
    chosen.set(module, resolve(dir));
  }
  return chosen;
}
