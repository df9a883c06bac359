// Builds the final config of a lab: overlays are named by the config, and their manifests
// bring topology defaults, so the merge runs twice:
// defaults < overlay defaults < environment < topology file < CLI (per-node last, in the plan).

import { type Overlay, resolveOverlays } from '../overlay/registry.js';
import { type ConfigLayer, mergeConfig } from '../topology/config.js';
import type { LabConfig } from '../topology/schema.js';

export interface ResolvedLab {
  config: LabConfig;
  overlays: Overlay[];
}

export async function resolveLab(layers: ConfigLayer[], where?: string): Promise<ResolvedLab> {
  const first = mergeConfig(layers, where);
  const overlays = await resolveOverlays(first.overlays);
  const overlayDefaults = overlays.map((o) => (o.manifest.topology ?? {}) as ConfigLayer);
  return { config: mergeConfig([...overlayDefaults, ...layers], where), overlays };
}
