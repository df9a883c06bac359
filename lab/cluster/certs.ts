// Who is who in a lab's Kubernetes: the certificates every component needs, derived from the
// plan alone (pure, unit-tested). Names follow Kubernetes' conventions, so Node and RBAC
// authorization recognise them: system:node:<name> in system:nodes, system:kube-scheduler…
import type { KubeUser } from '../overlay/manifest.js';
import type { LabPlan, NodePlan } from '../topology/plan.js';
import { addressInSubnet, nodeAddresses, withoutPrefix } from '../topology/plan.js';
import type { CertSpec } from './pki.js';

/** Service address ranges, IPv4 first (dual stack). */
/** Where a lab's PKI lives, relative to its lab dir. */
export const PKI_DIR = 'pki';

export const SERVICE_CIDRS = ['10.96.0.0/16', 'fd00:4c41:96::/112'] as const;

/** The `kubernetes` Service's addresses: the first of each service range. */
export function kubernetesServiceIps(cidrs: readonly string[] = SERVICE_CIDRS): string[] {
  return cidrs.map((cidr) => withoutPrefix(addressInSubnet(cidr, 1)));
}

const addressesOf = (node: NodePlan) => nodeAddresses(node).map((a) => a.address);

/** The control plane runs on the first node (vm-001), as in xcluster. */
export function controlPlaneNode(plan: LabPlan): NodePlan {
  const node = plan.nodes[0];
  if (!node) throw new Error('a lab without nodes has no control plane');
  return node;
}

export function clusterCertSpecs(plan: LabPlan, users: readonly KubeUser[] = []): CertSpec[] {
  const control = controlPlaneNode(plan);
  return [
    {
      name: 'apiserver',
      cn: 'kube-apiserver',
      usage: ['server'],
      dns: [
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'localhost',
        control.name,
      ],
      // 127.0.0.1: the host reaches the API through a local forward into the lab namespace.
      ips: ['127.0.0.1', '::1', ...kubernetesServiceIps(), ...addressesOf(control)],
    },
    {
      name: 'apiserver-kubelet-client',
      cn: 'kube-apiserver-kubelet-client',
      groups: ['system:masters'],
      usage: ['client'],
    },
    { name: 'admin', cn: 'lab-admin', groups: ['system:masters'], usage: ['client'] },
    { name: 'controller-manager', cn: 'system:kube-controller-manager', usage: ['client'] },
    { name: 'scheduler', cn: 'system:kube-scheduler', usage: ['client'] },
    // Bound to the node-proxier role by Kubernetes' own bootstrap policy.
    { name: 'kube-proxy', cn: 'system:kube-proxy', usage: ['client'] },
    // Users of the overlays' programs (xcluster-cni's route keeper, multus...): their RBAC is
    // in each overlay's addon.
    ...users.map((u): CertSpec => ({ name: u.name, cn: u.user, usage: ['client'] })),
    ...plan.nodes.map(
      (node): CertSpec => ({
        name: `kubelet-${node.name}`,
        cn: `system:node:${node.name}`,
        groups: ['system:nodes'],
        // Client to the API server, and server for the API server's exec/logs calls.
        usage: ['client', 'server'],
        dns: [node.name],
        ips: addressesOf(node),
      }),
    ),
  ];
}
