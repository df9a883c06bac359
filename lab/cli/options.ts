// Flags shared by `lab start` and `lab test`, and how they become a config layer.
import { Option } from '@commander-js/extra-typings';
import type { SnapshotChoice } from '../lifecycle/start.js';
import {
  type ConfigLayer,
  DEFAULTS,
  envLayer,
  parseIntStrict,
  parseNetList,
  topologyLayer,
} from '../topology/config.js';
import { loadTopology } from '../topology/load.js';
import { type Accel, MULTUS_MODES, type Topology } from '../topology/schema.js';

export const nameOption = () =>
  new Option('--name <lab>', 'lab name: several labs can run at once (env LAB_NAME)').default(
    process.env.LAB_NAME ?? DEFAULTS.name,
  );

/** How many labs run side by side (each in its own namespace). */
export const parallelOption = () =>
  new Option('--parallel <n>', 'run up to n labs side by side (each in its own namespace)')
    .argParser((v) => parseIntStrict(v, '--parallel'))
    .default(1);

/** --no-snapshot and --fresh: what `lab start` (and the labs of `lab test`) do about snapshots. */
export function snapshotOptions() {
  return [
    new Option(
      '--no-snapshot',
      'neither restore a saved snapshot nor save one after the boot (env LAB_SNAPSHOT=off)',
    ),
    new Option('--fresh', 'boot cold even when a snapshot matches, then replace it'),
  ] as const;
}

export function snapshotChoice(flags: { snapshot?: boolean; fresh?: boolean }): SnapshotChoice {
  const off = flags.snapshot === false || process.env.LAB_SNAPSHOT === 'off';
  return { mode: off ? 'off' : flags.fresh ? 'fresh' : 'auto' };
}

/** --src CHECKOUT (repeatable): `lab start` and `lab test` build from a developer's Go tree. */
export const srcOption = () =>
  new Option(
    '--src <checkout>',
    "build from your Go checkout instead of the pinned module (repeatable): its go.mod's module picks what it replaces, e.g. a multus-cni checkout gives multus (thin, or thick's image), a containernetworking/plugins one the CNI plugins",
  )
    .argParser((dir: string, dirs: string[]) => [...dirs, dir])
    .default([] as string[]);

export function topologyOptions() {
  return [
    new Option('--nvm <n>', 'number of VMs: vm-001 … (env LAB_NVM)').argParser((v) =>
      parseIntStrict(v, '--nvm'),
    ),
    new Option(
      '--nets-vm <list>',
      'nets of every VM, NIC k on the k-th net, e.g. 0,1,3,4,5 (env LAB_NETS_VM)',
    ).argParser((v) => parseNetList(v, '--nets-vm')),
    new Option('--mem <MiB>', 'memory per VM (env LAB_MEM)').argParser((v) => parseIntStrict(v, '--mem')),
    new Option('--smp <n>', 'vCPUs per VM (env LAB_SMP)').argParser((v) => parseIntStrict(v, '--smp')),
    new Option(
      '--accel <mode>',
      'accelerator: auto probes KVM for real, falls back to TCG (env LAB_ACCEL)',
    ).choices(['auto', 'kvm', 'tcg'] as const),
    new Option(
      '--pod-network <overlay>',
      "the overlay that provides a Kubernetes lab's pod network, e.g. flannel (default xcluster-cni; env LAB_POD_NETWORK)",
    ),
    new Option(
      '--multus <mode>',
      'how a multus lab runs multus: thin (the plugin, default) or thick (daemon + shim as a DaemonSet; env LAB_MULTUS)',
    ).choices(MULTUS_MODES),
    new Option('--topology <file>', 'YAML topology: nvm, netsVm, nets, per-node nets/mem/smp, overlays'),
  ] as const;
}

export interface TopologyFlags {
  name: string;
  nvm?: number;
  netsVm?: number[];
  mem?: number;
  smp?: number;
  accel?: Accel;
  podNetwork?: string;
  multus?: (typeof MULTUS_MODES)[number];
  topology?: string;
}

/** Layers in precedence order after the defaults: environment < extra (scenario) < file < CLI. */
export async function configLayers(
  flags: TopologyFlags,
  overlays: string[],
  extra: Topology[] = [],
): Promise<ConfigLayer[]> {
  const fromFile = flags.topology ? topologyLayer(await loadTopology(flags.topology)) : {};
  const cli: ConfigLayer = {
    name: flags.name,
    nvm: flags.nvm,
    netsVm: flags.netsVm,
    mem: flags.mem,
    smp: flags.smp,
    accel: flags.accel,
    podNetwork: flags.podNetwork,
    multus: flags.multus,
    overlays: overlays.length > 0 ? overlays : undefined,
  };
  return [envLayer(process.env), ...extra.map(topologyLayer), fromFile, cli];
}

/**
 * A suggested `lab …` command for the lab `name`: --name goes right after the subcommand, since
 * after the arguments it would reach the VM's command (lab ssh) or kubectl (lab kubectl … -- …).
 */
export function withLabName(command: string, name: string): string {
  return name === DEFAULTS.name ? command : command.replace(/^lab (\S+)/, `lab $1 --name ${name}`);
}
