// The typed shape of a lab: what a topology file, the environment and the CLI may set.
import { z } from 'zod';
import { LAB_NAME_PATTERN, LAB_NAME_RULE, OVERLAY_NAME_PATTERN } from '../util/paths.js';

export const MAX_NODE_ID = 249; // .250 on every net is the host side of the bridge
export const MIN_MEM_MB = 128;
export const MAX_NET_ID = 99;

const netId = z.number().int().min(0).max(MAX_NET_ID);

/** A list of net ids with no repeats, e.g. [0, 1, 3, 4, 5]. */
export const MAX_NICS = 16; // PCI slots of the q35 root bus left after disks and devices

export const netList = z
  .array(netId)
  .min(1)
  .max(MAX_NICS, `at most ${MAX_NICS} NICs per VM (the machine's PCI slots)`)
  .superRefine((nets, ctx) => {
    const seen = new Set<number>();
    nets.forEach((net, index) => {
      if (seen.has(net)) ctx.addIssue({ code: 'custom', message: `net ${net} appears twice`, path: [index] });
      seen.add(net);
    });
  });

export const netSchema = z
  .object({
    id: netId,
    name: z.string().min(1).max(32).optional(),
    /** false: the NICs on this net are up but get no address (e.g. masters for macvlan/ipvlan). */
    addressed: z.boolean().optional(),
    ipv4: z.cidrv4().optional(),
    ipv6: z.cidrv6().optional(),
  })
  .strict();

export const nodeOverrideSchema = z
  .object({
    id: z.number().int().min(1).max(MAX_NODE_ID),
    mem: z.number().int().min(MIN_MEM_MB).optional(),
    smp: z.number().int().min(1).max(64).optional(),
    nets: netList.optional(),
  })
  .strict();

const overlayName = z.string().regex(OVERLAY_NAME_PATTERN, 'an overlay name, e.g. flannel');

/** How a multus lab runs multus: the thin plugin or the thick daemon. */
export const MULTUS_MODES = ['thin', 'thick'] as const;
const multusMode = z.enum(MULTUS_MODES);

const labName = z.string().regex(LAB_NAME_PATTERN, LAB_NAME_RULE);

/** Everything a topology file may hold. Every field is optional: defaults fill the rest. */
export const topologySchema = z
  .object({
    nvm: z.number().int().min(1).max(MAX_NODE_ID).optional(),
    mem: z.number().int().min(MIN_MEM_MB).optional(),
    smp: z.number().int().min(1).max(64).optional(),
    netsVm: netList.optional(),
    nets: z.array(netSchema).optional(),
    nodes: z.array(nodeOverrideSchema).optional(),
    overlays: z.array(z.string().min(1)).optional(),
    /** The overlay that provides the pod network (e.g. flannel); default: what the overlays say. */
    podNetwork: overlayName.optional(),
    /** How multus runs: the thin plugin (default) or the thick daemon as a DaemonSet. */
    multus: multusMode.optional(),
    ipv6Prefix: z.cidrv6().optional(),
  })
  .strict();

export const accelSchema = z.enum(['auto', 'kvm', 'tcg']);

/** The merged config: one object, built once, read everywhere after. */
export const labConfigSchema = z
  .object({
    name: labName,
    nvm: z.number().int().min(1).max(MAX_NODE_ID),
    mem: z.number().int().min(MIN_MEM_MB),
    smp: z.number().int().min(1).max(64),
    netsVm: netList,
    nets: z.array(netSchema),
    nodes: z.array(nodeOverrideSchema),
    overlays: z.array(z.string().min(1)),
    podNetwork: overlayName.optional(),
    multus: multusMode.optional(),
    accel: accelSchema,
    ipv6Prefix: z.cidrv6(),
  })
  .strict();

export type Topology = z.infer<typeof topologySchema>;
export type NetConfig = z.infer<typeof netSchema>;
export type NodeOverride = z.infer<typeof nodeOverrideSchema>;
export type Accel = z.infer<typeof accelSchema>;
export type LabConfig = z.infer<typeof labConfigSchema>;
