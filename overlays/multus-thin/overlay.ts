import { defineOverlay } from '../../lab/overlay/manifest.js';
import { podCache } from './artifacts.js';
import { afterRestore } from './restore.js';

// Multus as the thin plugin (the default of `lab start multus`): containerd runs the multus
// binary (overlay cni) per pod, from 00-multus.conf that this overlay writes in front of the
// pod network's config; pod-cache answers its pod lookups from memory (see pod-cache/main.go).
export default defineOverlay({
  name: 'multus-thin',
  description:
    'Multus, the thin plugin: 00-multus.conf in front of the pod network, pod-cache for its API reads',
  deps: ['k8s', 'cni'],
  provides: ['multus'],
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
      exec: ['/usr/lib/lab/multus-thin/pod-cache'],
      // Ready once its first LIST of this node's pods succeeded.
      ready: {
        exec: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8001/lab/synced'],
        intervalMs: 2000,
        timeoutSec: 600,
      },
      restart: 'always',
    },
    {
      name: 'multus',
      description:
        '00-multus.conf: multus first, the pod network (whichever overlay provides it) as its default delegate',
      after: ['pod-network', 'pod-cache'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/multus-thin/multus-config'],
    },
  ],
});
