import { defineOverlay } from '../../lab/overlay/manifest.js';
import { podCache } from './artifacts.js';
import { afterRestore } from './restore.js';

export default defineOverlay({
  name: 'multus',
  description:
    "Multus on Kubernetes (seeds 000, 002, 003): the thin plugin in front of the pod network, the NAD CRD and the seeds' NADs",
  // cni: multus binary, reference plugins, node-local IPAM and its range files. coredns: the
  // multus lab is the main one, and a cluster without DNS is not one users can work with.
  deps: ['k8s', 'multinet', 'private-reg', 'cni', 'coredns'],
  needs: ['pod-network'],
  // pod-cache and multus read pods and NADs and write pods' network status (RBAC in the addon).
  kubeUsers: [{ name: 'multus', user: 'lab:multus' }],
  artifacts: [{ artifact: podCache, into: '/usr/local/bin' }],
  // A restored lab: pod-cache lists and watches afresh (its old watch may hang after the resume).
  afterRestore,
  units: [
    {
      name: 'pod-cache',
      description: "the API server for multus on 127.0.0.1:8001, this node's pods from memory",
      after: ['net'],
      type: 'service',
      exec: ['/usr/lib/lab/multus/pod-cache'],
      // Ready once its first LIST of this node's pods succeeded.
      ready: {
        exec: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8001/lab/synced'],
        intervalMs: 2000,
        timeoutSec: 600,
      },
      restart: 'always',
    },
    {
      name: 'multus-config',
      description:
        '00-multus.conf: multus first, the pod network (whichever overlay provides it) as its default delegate',
      after: ['pod-network', 'pod-cache'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/multus/multus-config'],
    },
  ],
  tryNext: [
    'lab kubectl get network-attachment-definitions',
    'lab kubectl apply -f overlays/multus/examples/alpine.yaml',
    'lab kubectl exec alpine -- ip -br addr',
    'lab test multus --no-start',
  ],
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
});
