// What `lab start` makes for a Kubernetes lab before the VMs boot: the lab's PKI and, per
// node, the certificates and kubeconfigs that node needs (the control-plane node gets the
// API server's and the controllers' too). Delivered as per-node files, never in a layer.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clusterCertSpecs, controlPlaneNode, PKI_DIR } from '../../lab/cluster/certs.js';
import { kubeconfig } from '../../lab/cluster/kubeconfig.js';
import { createPki } from '../../lab/cluster/pki.js';
import type { NodeFile, NodeFiles, PrepareContext } from '../../lab/overlay/manifest.js';
import { nodeAddresses } from '../../lab/topology/plan.js';
import { LabError } from '../../lab/util/errors.js';

const SECRET = 0o600;

/** https://<control-plane net-1 IPv4>:6443: what kubelets and clients dial. */
export function apiServerUrl(ctx: Pick<PrepareContext, 'plan'>): string {
  const control = controlPlaneNode(ctx.plan);
  const address = nodeAddresses(control).find((a) => a.net === 1 && a.family === 4);
  if (!address)
    throw new LabError(
      `${control.name} has no IPv4 address on net 1: Kubernetes needs one`,
      'keep net 1 addressed (the default)',
    );
  return `https://${address.address}:6443`;
}

export async function prepareCluster(ctx: PrepareContext): Promise<NodeFiles> {
  const { plan, labDir } = ctx;
  const pki = await createPki(
    join(labDir, PKI_DIR),
    `lab-${plan.name}-ca`,
    clusterCertSpecs(plan, ctx.kubeUsers),
  );
  const read = (path: string | undefined) => readFile(path ?? '', 'utf8');
  const caPem = await read(pki.caCert);
  const server = apiServerUrl(ctx);
  const certOf = (name: string) => pki.certs[name];
  const config = async (name: string, user: string): Promise<NodeFile> => ({
    content: kubeconfig({
      cluster: `lab-${plan.name}`,
      server,
      caPem,
      user,
      certPem: await read(certOf(name)?.cert),
      keyPem: await read(certOf(name)?.key),
    }),
    mode: SECRET,
  });
  const pair = async (name: string, as: string): Promise<Record<string, NodeFile>> => ({
    [`/etc/kubernetes/pki/${as}.crt`]: { content: await read(certOf(name)?.cert) },
    [`/etc/kubernetes/pki/${as}.key`]: { content: await read(certOf(name)?.key), mode: SECRET },
  });

  const control = controlPlaneNode(plan);
  const files: NodeFiles = {};
  for (const node of plan.nodes) {
    files[node.name] = {
      '/etc/kubernetes/pki/ca.crt': { content: caPem },
      ...(await pair(`kubelet-${node.name}`, 'kubelet')),
      '/etc/kubernetes/kubelet.kubeconfig': await config(`kubelet-${node.name}`, `system:node:${node.name}`),
      '/etc/kubernetes/admin.kubeconfig': await config('admin', 'lab-admin'),
      '/etc/kubernetes/kube-proxy.kubeconfig': await config('kube-proxy', 'system:kube-proxy'),
    };
    // The overlays' users: a kubeconfig for kubectl-like clients, the pair for the others.
    for (const user of ctx.kubeUsers) {
      files[node.name] = {
        ...files[node.name],
        [`/etc/kubernetes/${user.name}.kubeconfig`]: await config(user.name, user.user),
        ...(await pair(user.name, user.name)),
      };
    }
  }
  files[control.name] = {
    ...files[control.name],
    '/etc/kubernetes/control-plane': { content: `${control.name}\n` },
    ...(await pair('apiserver', 'apiserver')),
    ...(await pair('apiserver-kubelet-client', 'apiserver-kubelet-client')),
    '/etc/kubernetes/pki/sa.key': { content: await read(pki.serviceAccountKey), mode: SECRET },
    '/etc/kubernetes/pki/sa.pub': { content: await read(pki.serviceAccountPub) },
    '/etc/kubernetes/controller-manager.kubeconfig': await config(
      'controller-manager',
      'system:kube-controller-manager',
    ),
    '/etc/kubernetes/scheduler.kubeconfig': await config('scheduler', 'system:kube-scheduler'),
  };
  return files;
}
