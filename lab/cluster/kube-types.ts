// The parts of Kubernetes objects that lab reads, checked when they arrive: a field lab relies
// on that is missing or of another type fails at the answer, naming the field, rather than
// as an undefined somewhere later. Loose objects: every other field is kept as it came.
import { z } from 'zod';

export const ObjectMeta = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
  deletionTimestamp: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const Condition = z.looseObject({
  type: z.string(),
  status: z.string(),
  lastTransitionTime: z.string().optional(),
});

export const Pod = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({ nodeName: z.string().optional() }),
  status: z
    .looseObject({
      phase: z.string().optional(),
      conditions: z.array(Condition).optional(),
      podIPs: z.array(z.object({ ip: z.string() })).optional(),
      containerStatuses: z
        .array(
          z.looseObject({
            name: z.string(),
            state: z
              .looseObject({ waiting: z.looseObject({ reason: z.string().optional() }).optional() })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type Pod = z.infer<typeof Pod>;

export const Node = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({ podCIDRs: z.array(z.string()).optional() }),
  status: z.looseObject({ conditions: z.array(Condition).optional() }).optional(),
});
export type Node = z.infer<typeof Node>;

export const Event = z.looseObject({
  metadata: ObjectMeta,
  reason: z.string().optional(),
  message: z.string().optional(),
  involvedObject: z.looseObject({ name: z.string().optional(), kind: z.string().optional() }),
});
export type Event = z.infer<typeof Event>;

/** Any object: what apply and delete take. */
export const KubeObject = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: ObjectMeta,
});
export type KubeObject = z.infer<typeof KubeObject>;

/** The type of resource a list, a watch or a path names. */
export interface ResourceType {
  apiVersion: string;
  kind: string;
}

export const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod' };
export const NODE: ResourceType = { apiVersion: 'v1', kind: 'Node' };
export const EVENT: ResourceType = { apiVersion: 'v1', kind: 'Event' };
export const NAMESPACE: ResourceType = { apiVersion: 'v1', kind: 'Namespace' };
export const NAD: ResourceType = { apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition' };

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function isNodeReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** When a condition last turned true, as the API server recorded it (ms since the epoch). */
export function conditionSince(pod: Pod, type: string): number | undefined {
  const at = pod.status?.conditions?.find((c) => c.type === type && c.status === 'True')?.lastTransitionTime;
  return at ? Date.parse(at) : undefined;
}

export const Service = z.looseObject({
  metadata: ObjectMeta,
  spec: z.looseObject({
    clusterIPs: z.array(z.string()).optional(),
    ports: z.array(z.looseObject({ port: z.number(), nodePort: z.number().optional() })).optional(),
  }),
});
export type Service = z.infer<typeof Service>;

export const Deployment = z.looseObject({
  metadata: ObjectMeta.extend({ generation: z.number().optional() }),
  spec: z.looseObject({ replicas: z.number().optional() }),
  status: z
    .looseObject({
      observedGeneration: z.number().optional(),
      replicas: z.number().optional(),
      updatedReplicas: z.number().optional(),
      readyReplicas: z.number().optional(),
      availableReplicas: z.number().optional(),
    })
    .optional(),
});
export type Deployment = z.infer<typeof Deployment>;

export const SERVICE: ResourceType = { apiVersion: 'v1', kind: 'Service' };
export const DEPLOYMENT: ResourceType = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** What `kubectl rollout status` waits for: the current spec rolled out, every replica available. */
export function isRolledOut(d: Deployment): boolean {
  const want = d.spec.replicas ?? 1;
  const s = d.status;
  return (
    (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    s?.updatedReplicas === want &&
    s?.availableReplicas === want &&
    (s?.replicas ?? 0) === want
  );
}

export const DaemonSet = z.looseObject({
  metadata: ObjectMeta.extend({ generation: z.number().optional() }),
  status: z
    .looseObject({
      observedGeneration: z.number().optional(),
      desiredNumberScheduled: z.number().optional(),
      numberReady: z.number().optional(),
      updatedNumberScheduled: z.number().optional(),
    })
    .optional(),
});
export type DaemonSet = z.infer<typeof DaemonSet>;
export const DAEMONSET: ResourceType = { apiVersion: 'apps/v1', kind: 'DaemonSet' };

/** Every node that should run it runs its current spec, Ready. */
export function isDaemonSetReady(ds: DaemonSet): boolean {
  const s = ds.status;
  const desired = s?.desiredNumberScheduled ?? 0;
  return (
    (s?.observedGeneration ?? 0) >= (ds.metadata.generation ?? 1) &&
    desired > 0 &&
    s?.numberReady === desired &&
    s?.updatedNumberScheduled === desired
  );
}

export const EndpointSlice = z.looseObject({
  metadata: ObjectMeta,
  endpoints: z
    .array(z.looseObject({ conditions: z.looseObject({ ready: z.boolean().optional() }).optional() }))
    .nullish(),
});
export type EndpointSlice = z.infer<typeof EndpointSlice>;
export const ENDPOINT_SLICE: ResourceType = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
