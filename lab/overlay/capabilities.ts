// What an overlay can be one choice of: a Kubernetes lab needs exactly one pod network, a multus
// lab exactly one way of running multus (thin plugin or thick daemon). Which overlay brings it
// is the lab's choice (a flag, a topology field, or an overlay's default), so that no overlay
// names another's files and adding a network is one folder.
import type { LabConfig } from '../topology/schema.js';
import { UsageError } from '../util/errors.js';

export const CAPABILITIES = ['pod-network', 'multus'] as const;
export type Capability = (typeof CAPABILITIES)[number];

interface Choice {
  /** Where the lab's choice lives in the config (flag, env LAB_…, topology field of that name). */
  key: 'podNetwork' | 'multus';
  flag: string;
  /** The overlay a chosen value names. */
  overlay(value: string): string;
  example: string;
}

export const CAPABILITY_CHOICE: Record<Capability, Choice> = {
  'pod-network': { key: 'podNetwork', flag: '--pod-network', overlay: (v) => v, example: 'xcluster-cni' },
  multus: { key: 'multus', flag: '--multus', overlay: (v) => `multus-${v}`, example: 'thin' },
};

export interface CapabilityManifest {
  name: string;
  provides: readonly Capability[];
  needs: readonly Capability[];
}

/** A provider to add: the overlay the config's choice names for a need nothing in the lab meets. */
export interface ChosenProvider {
  capability: Capability;
  /** As the user wrote it, e.g. thick. */
  chosen: string;
  overlay: string;
}

/**
 * The overlays to add so that every need of `overlays` is met by exactly one provider: the
 * config's choice where none is there yet. Throws a UsageError for two providers at once, a
 * need with no choice, or a choice that clashes with a provider already in the lab.
 */
export function providersToAdd(overlays: readonly CapabilityManifest[], config: LabConfig): ChosenProvider[] {
  const add: ChosenProvider[] = [];
  for (const capability of CAPABILITIES) {
    const { key, flag, example, overlay } = CAPABILITY_CHOICE[capability];
    const chosen = config[key];
    const providers = overlays.filter((o) => o.provides.includes(capability)).map((o) => o.name);
    const needers = overlays.filter((o) => o.needs.includes(capability)).map((o) => o.name);
    if (providers.length > 1)
      throw new UsageError(
        `two ${capability} providers at once: ${providers.join(' and ')}`,
        `a lab has one; name one of them with ${flag} and drop the other from the overlays`,
      );
    const [provider] = providers;
    if (provider) {
      if (chosen && overlay(chosen) !== provider)
        throw new UsageError(
          `two ${capability} providers at once: ${flag} ${chosen} and overlay ${provider}`,
          `drop ${provider} from the overlays, or leave out ${flag}`,
        );
      continue;
    }
    if (needers.length === 0) {
      if (chosen)
        throw new UsageError(
          `${flag} ${chosen}: no overlay of this lab needs a ${capability} (${overlays.map((o) => o.name).join(', ')})`,
          `it belongs to a lab that needs one, e.g. lab start multus ${flag} ${chosen}`,
        );
      continue;
    }
    if (!chosen)
      throw new UsageError(
        `overlay ${needers.join(', ')} needs a ${capability} and none is chosen`,
        `choose one with ${flag}, e.g. ${flag} ${example}`,
      );
    add.push({ capability, chosen, overlay: overlay(chosen) });
  }
  return add;
}
