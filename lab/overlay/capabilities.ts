// What an overlay can be one choice of: a lab needs exactly one pod network, and which overlay
// brings it is the lab's choice (--pod-network, podNetwork in a topology, or an overlay's
// default), so that no overlay names another's files and adding a network is one folder.
import type { LabConfig } from '../topology/schema.js';
import { UsageError } from '../util/errors.js';

export const CAPABILITIES = ['pod-network'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Where the lab's choice of each capability's provider lives in the config, and how it is set. */
export const CAPABILITY_CHOICE = {
  'pod-network': { key: 'podNetwork', flag: '--pod-network', env: 'LAB_POD_NETWORK', field: 'podNetwork' },
} as const satisfies Record<Capability, { key: keyof LabConfig; flag: string; env: string; field: string }>;

export interface CapabilityManifest {
  name: string;
  provides: readonly Capability[];
  needs: readonly Capability[];
}

/**
 * The overlays to add so that every need of `overlays` is met by exactly one provider: the
 * config's choice where none is there yet. Throws a UsageError for two providers at once, a
 * need with no choice, or a choice that clashes with a provider already in the lab.
 */
export function providersToAdd(overlays: readonly CapabilityManifest[], config: LabConfig): string[] {
  const add: string[] = [];
  for (const capability of CAPABILITIES) {
    const { key, flag } = CAPABILITY_CHOICE[capability];
    const chosen = config[key];
    const providers = overlays.filter((o) => o.provides.includes(capability)).map((o) => o.name);
    const needers = overlays.filter((o) => o.needs.includes(capability)).map((o) => o.name);
    if (providers.length > 1)
      throw new UsageError(
        `two ${capability}s at once: ${providers.join(' and ')}`,
        `a lab has one; name one of them with ${flag} and drop the other from the overlays`,
      );
    const [provider] = providers;
    if (provider) {
      if (chosen && chosen !== provider)
        throw new UsageError(
          `two ${capability}s at once: ${flag} ${chosen} and overlay ${provider}`,
          `drop ${provider} from the overlays, or ${flag} ${provider}`,
        );
      continue;
    }
    if (needers.length === 0) {
      if (chosen)
        throw new UsageError(
          `${flag} ${chosen}: no overlay of this lab needs a ${capability} (${overlays.map((o) => o.name).join(', ')})`,
          `a ${capability} belongs to a Kubernetes lab, e.g. lab start multus ${flag} ${chosen}`,
        );
      continue;
    }
    if (!chosen)
      throw new UsageError(
        `overlay ${needers.join(', ')} needs a ${capability} and none is chosen`,
        `choose one with ${flag}, e.g. ${flag} xcluster-cni`,
      );
    add.push(chosen);
  }
  return add;
}
