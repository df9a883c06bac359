// Builds the final config of a lab: overlays are named by the config, and their manifests
// bring topology defaults, so the merge runs twice:
// defaults < overlay defaults < environment < topology file < CLI (per-node last, in the plan).
// Then what the overlays need (a pod network, a multus) is met by the chosen providers, which
// bring their own dependencies and defaults: one more round.

import { CAPABILITY_CHOICE, type ChosenProvider, providersToAdd } from '../overlay/capabilities.js';
import { listOverlayNames, loadOverlay, type Overlay, resolveOverlays } from '../overlay/registry.js';
import { type ConfigLayer, mergeConfig } from '../topology/config.js';
import type { LabConfig } from '../topology/schema.js';
import { UsageError } from '../util/errors.js';

export interface ResolvedLab {
  config: LabConfig;
  overlays: Overlay[];
}

export async function resolveLab(layers: ConfigLayer[], where?: string): Promise<ResolvedLab> {
  const first = mergeConfig(layers, where);
  const withDefaults = async (names: string[]) => {
    const overlays = await resolveOverlays(names);
    const overlayDefaults = overlays.map((o) => (o.manifest.topology ?? {}) as ConfigLayer);
    return { overlays, config: mergeConfig([...overlayDefaults, ...layers], where) };
  };
  const manifests = (lab: ResolvedLab) => lab.overlays.map((o) => o.manifest);
  let lab = await withDefaults(first.overlays);
  const added = providersToAdd(manifests(lab), lab.config);
  if (added.length === 0) return lab;
  const known = await listOverlayNames();
  const unknown = added.find((a) => !known.includes(a.overlay));
  if (unknown) throw await notAProvider(unknown, `there is no overlay ${unknown.overlay}`);
  lab = await withDefaults([...first.overlays, ...added.map((a) => a.overlay)]);
  const [notProvided] = providersToAdd(manifests(lab), lab.config);
  if (notProvided)
    throw await notAProvider(
      notProvided,
      `overlay ${notProvided.overlay} provides no ${notProvided.capability}`,
    );
  // A provider the user chose shows in the lab's overlays (and so in its snapshot's name);
  // the overlays' default stays implied, as a dependency does.
  const chosen = added
    .filter((a) => first[CAPABILITY_CHOICE[a.capability].key] !== undefined)
    .map((a) => a.overlay);
  return { ...lab, config: { ...lab.config, overlays: [...first.overlays, ...chosen] } };
}

/** A choice that names no provider, with the providers there are. */
async function notAProvider(choice: ChosenProvider, why: string): Promise<UsageError> {
  const { flag } = CAPABILITY_CHOICE[choice.capability];
  const providers: string[] = [];
  for (const name of await listOverlayNames()) {
    const overlay = await loadOverlay(name).catch(() => undefined);
    if (overlay?.manifest.provides.includes(choice.capability)) providers.push(name);
  }
  return new UsageError(
    `${flag} ${choice.chosen}: ${why}`,
    `${choice.capability} providers here: ${providers.join(', ')} (overlays whose overlay.ts says provides: [${choice.capability}]; your own go in a folder named in LAB_OVERLAY_PATH)`,
  );
}
