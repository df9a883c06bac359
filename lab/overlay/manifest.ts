// An overlay's typed manifest (overlays/<name>/overlay.ts): what it needs and what it runs.

import { z } from 'zod';
import type { ArtifactSpec } from '../artifacts/artifact.js';
import type { Deployable } from '../deploy/deployable.js';
import type { LabState } from '../lifecycle/state.js';
import type { LabPlan } from '../topology/plan.js';
import { topologySchema } from '../topology/schema.js';
import type { Ui } from '../util/ui.js';
import { CAPABILITIES } from './capabilities.js';

const unitName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const argv = z.array(z.string().min(1)).min(1);

/** A boot unit; see docs/guest-protocol.md for what the guest does with each field. */
export const unitSchema = z
  .object({
    name: unitName,
    description: z.string().min(1),
    after: z.array(unitName).default([]),
    type: z.enum(['oneshot', 'service']),
    exec: argv,
    if: z.string().min(1).optional(),
    env: z.record(z.string(), z.string()).optional(),
    ready: z
      .object({
        exec: argv,
        intervalMs: z.number().int().positive().optional(),
        timeoutSec: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    restart: z.enum(['always', 'no']).optional(),
    timeoutSec: z.number().int().positive().optional(),
  })
  .strict();

const isArtifactSpec = (value: unknown): value is ArtifactSpec =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ArtifactSpec).name === 'string' &&
  Array.isArray((value as ArtifactSpec).files) &&
  Array.isArray((value as ArtifactSpec).sources);

/** Files of an artifact (lab/artifacts/artifact.ts) installed into the layer at `into`. */
export const artifactUseSchema = z
  .object({
    artifact: z.custom<ArtifactSpec>(isArtifactSpec, 'an ArtifactSpec (see lab/artifacts/artifact.ts)'),
    into: z.string().regex(/^\/[^.]*$/, 'an absolute directory in the VM, e.g. /opt/cni/bin'),
  })
  .strict();

/** A file a node gets at boot (copied onto / by lab-init from /lab/files). */
export interface NodeFile {
  content: string;
  /** Default 0o644; keys want 0o600. */
  mode?: number;
}
/** Per node name: absolute path in the VM → file. */
export type NodeFiles = Record<string, Record<string, NodeFile>>;
/** A Kubernetes user an overlay's programs act as (see kubeUsers). */
export interface KubeUser {
  /** Files: /etc/kubernetes/<name>.kubeconfig and /etc/kubernetes/pki/<name>.{crt,key}. */
  name: string;
  /** The certificate's CN: the user name RBAC sees, e.g. lab:multus. */
  user: string;
}
export interface PrepareContext {
  plan: LabPlan;
  /** The lab's state directory; anything made there goes with the lab. */
  labDir: string;
  /** Every overlay's kubeUsers, for the overlay that makes the cluster's certificates. */
  kubeUsers: KubeUser[];
}
/** Runs at `lab start` before the VMs boot: per-lab material (e.g. certificates) for each node. */
export type Prepare = (ctx: PrepareContext) => Promise<NodeFiles>;

export interface AfterRestoreContext {
  state: LabState;
  ui: Ui;
  timeoutMs: number;
}
/**
 * Runs once a lab restored from a snapshot runs again and its clocks are set: mends what the
 * jump in time disturbs and waits until the overlay's part is ready, as its units did at boot.
 */
export type AfterRestore = (ctx: AfterRestoreContext) => Promise<void>;

/**
 * Runs on a ready lab just before its snapshot is saved: puts into the VMs what every lab
 * restored from it should find (private-reg: the images pods use, pulled). Work here costs a
 * cold start once and saves every warm start the same; at boot it would slow the control plane.
 */
export type BeforeSave = (ctx: AfterRestoreContext) => Promise<void>;

const capability = z.enum(CAPABILITIES);

export const overlayManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    description: z.string().min(1),
    /** Other overlays this one needs; their layers go below this one. `base` is implied. */
    deps: z.array(z.string()).default([]),
    /**
     * What this overlay is one choice of (lab/overlay/capabilities.ts), e.g. `pod-network`: it
     * then has a unit of that name, ready once the node has it, which others wait for.
     */
    provides: z.array(capability).default([]),
    /** What some overlay in the lab must provide; which one is the lab's choice (e.g. --pod-network). */
    needs: z.array(capability).default([]),
    /**
     * Kubernetes users this overlay's programs on the nodes act as (labs with k8s): each gets a
     * client certificate of the lab's CA on every node; the overlay's addon holds their RBAC.
     */
    kubeUsers: z
      .array(
        z
          .object({
            name: unitName,
            user: z.string().regex(/^[a-z0-9][a-z0-9:.-]*$/, 'a user name as RBAC sees it, e.g. lab:multus'),
          })
          .strict(),
      )
      .default([]),
    /**
     * What the user's `--addon` manifests bring to this overlay (e.g. "the pod network"): they are
     * then required, and applied during the boot by the control plane's addons unit (the
     * overlay's units wait for what they make), so they and `--image` archives are part of the
     * VM image and its snapshot. Without it, `--addon` files are applied once the lab runs.
     */
    bootAddons: z.string().min(1).optional(),
    /** Debian packages added to the root filesystem. */
    packages: z.array(z.string()).default([]),
    /**
     * Symbolic links the layer holds: path in the VM → target. Declared here, not as links under
     * root/, because a repository shipped as patches or archives may turn a link into a file.
     * (The image installs packages without their maintainer scripts, so alternatives such as
     * iptables → xtables-nft-multi are made this way.)
     */
    links: z
      .record(
        z
          .string()
          .regex(/^\/[A-Za-z0-9._+/-]+$/, 'an absolute path in the VM')
          .refine((p) => !p.split('/').includes('..'), 'no ".." in the path'),
        z.string().min(1),
      )
      .default({}),
    /** Binaries of this overlay that `lab deploy NAME [--src PATH]` can replace on a running lab. */
    deployables: z
      .array(
        z.custom<Deployable>(
          (value) =>
            typeof (value as Deployable)?.name === 'string' &&
            typeof (value as Deployable)?.artifact?.checkout?.module === 'string',
          'a Deployable (lab/deploy/deployable.ts)',
        ),
      )
      .default([]),
    /** Artifacts (binaries from a release, the Go module proxy, Debian) put into the layer. */
    artifacts: z.array(artifactUseSchema).default([]),
    /** How long booting may take with this overlay (default 180 s; `lab start --boot-timeout` wins). */
    bootTimeoutSec: z.number().int().positive().optional(),
    /** Per-lab, per-node files made at start (see Prepare). */
    prepare: z.custom<Prepare>((value) => typeof value === 'function', 'a function (see Prepare)').optional(),
    /** See AfterRestore. */
    afterRestore: z
      .custom<AfterRestore>((value) => typeof value === 'function', 'a function (see AfterRestore)')
      .optional(),
    /** See BeforeSave. */
    beforeSave: z
      .custom<BeforeSave>((value) => typeof value === 'function', 'a function (see BeforeSave)')
      .optional(),
    /** Kernel modules shipped (with their dependencies) and loaded at boot. */
    modules: z.array(z.string()).default([]),
    units: z.array(unitSchema).default([]),
    /** Services inside the lab reachable from the host on 127.0.0.1 (see lab/hostnet/forward.ts). */
    hostForwards: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9-]+$/),
            port: z.number().int().min(1).max(65535),
            /** Default: the first node (the control plane). */
            node: z.string().optional(),
          })
          .strict(),
      )
      .default([]),
    /** `lab …` commands worth trying once a lab with this overlay runs (printed by `lab start`). */
    tryNext: z
      .array(z.string().regex(/^lab /, 'a lab command, e.g. "lab test multinet --no-start"'))
      .default([]),
    /** Topology defaults this overlay wants (a topology file or the CLI still win). */
    topology: topologySchema.omit({ overlays: true }).optional(),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    for (const [index, provided] of manifest.provides.entries()) {
      if (!manifest.units.some((unit) => unit.name === provided))
        ctx.addIssue({
          code: 'custom',
          path: ['provides', index],
          message: `an overlay that provides ${provided} has a unit named "${provided}" (ready once the node has it)`,
        });
    }
  });

export type Unit = z.output<typeof unitSchema>;
export type OverlayManifest = z.output<typeof overlayManifestSchema>;
export type OverlayManifestInput = z.input<typeof overlayManifestSchema>;

/** Identity function that gives manifest files type checking and completion. */
export function defineOverlay(manifest: OverlayManifestInput): OverlayManifestInput {
  return manifest;
}
