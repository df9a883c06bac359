// One typed config, merged once: defaults < environment < topology file < CLI.
// Per-node overrides (topology `nodes:`) are applied by the plan, last.
import { UsageError } from '../util/errors.js';
import { usageErrorFromZod } from './issues.js';
import {
  type LabConfig,
  labConfigSchema,
  type NetConfig,
  type NodeOverride,
  type Topology,
} from './schema.js';

export type ConfigLayer = Partial<LabConfig>;

export const DEFAULTS: LabConfig = {
  name: 'default',
  nvm: 2,
  mem: 256,
  smp: 2,
  netsVm: [0, 1],
  nets: [],
  nodes: [],
  overlays: ['multinet'],
  accel: 'auto',
  ipv6Prefix: 'fd00:4c41::/96',
};

/** Environment variables a user may set, e.g. LAB_NVM=3 LAB_NETS_VM=0,1,3. */
export const ENV_KEYS = {
  LAB_NAME: 'name',
  LAB_NVM: 'nvm',
  LAB_MEM: 'mem',
  LAB_SMP: 'smp',
  LAB_NETS_VM: 'netsVm',
  LAB_ACCEL: 'accel',
  LAB_OVERLAYS: 'overlays',
  LAB_POD_NETWORK: 'podNetwork',
  LAB_MULTUS: 'multus',
} as const satisfies Record<string, keyof LabConfig>;

export function parseIntStrict(text: string, what: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${what}: "${text}" is not a whole number`);
  return Number(text);
}

export function parseNetList(text: string, what: string): number[] {
  return text.split(',').map((part) => parseIntStrict(part, what));
}

export function envLayer(env: NodeJS.ProcessEnv): ConfigLayer {
  const layer: Record<string, unknown> = {};
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    if (key === 'nvm' || key === 'mem' || key === 'smp') layer[key] = parseIntStrict(value, variable);
    else if (key === 'netsVm') layer[key] = parseNetList(value, variable);
    else if (key === 'overlays') layer[key] = value.split(',').filter(Boolean);
    else layer[key] = value;
  }
  return layer as ConfigLayer;
}

export function topologyLayer(topology: Topology): ConfigLayer {
  return { ...topology } as ConfigLayer;
}

function mergeById<T extends { id: number }>(base: T[], over: T[]): T[] {
  const byId = new Map(base.map((item) => [item.id, item]));
  for (const item of over) byId.set(item.id, { ...byId.get(item.id), ...item });
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Later layers win field by field; `nets` and `nodes` merge by id. Validates the result. */
export function mergeConfig(layers: ConfigLayer[], where = 'configuration'): LabConfig {
  let merged: Record<string, unknown> = { ...DEFAULTS };
  for (const layer of layers) {
    const defined = Object.fromEntries(Object.entries(layer).filter(([, v]) => v !== undefined));
    merged = {
      ...merged,
      ...defined,
      nets: mergeById((merged.nets as NetConfig[]) ?? [], (layer.nets as NetConfig[]) ?? []),
      nodes: mergeById((merged.nodes as NodeOverride[]) ?? [], (layer.nodes as NodeOverride[]) ?? []),
    };
  }
  const result = labConfigSchema.safeParse(merged);
  if (!result.success) throw usageErrorFromZod(result.error, where);
  const config = result.data;
  const outside = config.nodes.find((node) => node.id > config.nvm);
  if (outside) throw new UsageError(`${where}: nodes: node ${outside.id} is beyond nvm ${config.nvm}`);
  return config;
}
