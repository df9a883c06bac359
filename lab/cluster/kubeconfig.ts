// Kubeconfig files with everything embedded (no paths that differ between host and VM).
import { stringify } from 'yaml';

export interface KubeconfigInput {
  /** Cluster name, e.g. lab-default. */
  cluster: string;
  server: string;
  caPem: string;
  user: string;
  certPem: string;
  keyPem: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

export function kubeconfig(input: KubeconfigInput): string {
  const context = `${input.user}@${input.cluster}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: input.cluster,
        cluster: { server: input.server, 'certificate-authority-data': b64(input.caPem) },
      },
    ],
    users: [
      {
        name: input.user,
        user: { 'client-certificate-data': b64(input.certPem), 'client-key-data': b64(input.keyPem) },
      },
    ],
    contexts: [{ name: context, context: { cluster: input.cluster, user: input.user } }],
    'current-context': context,
  });
}
