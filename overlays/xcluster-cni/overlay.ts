import { defineOverlay } from '../../lab/overlay/manifest.js';
import { cniPlugins } from '../cni/artifacts.js';

export default defineOverlay({
  name: 'xcluster-cni',
  description:
    "The default pod network (seed 004): CNI bridge + host-local on each node's podCIDRs, routes to every other node's",
  deps: ['k8s'],
  provides: ['pod-network'],
  // The route keeper reads all Node objects, which a kubelet may not (RBAC in the addon).
  kubeUsers: [{ name: 'xcluster-cni', user: 'lab:xcluster-cni' }],
  artifacts: [{ artifact: cniPlugins, into: '/opt/cni/bin' }],
  units: [
    {
      name: 'pod-network',
      description:
        "CNI config from this node's podCIDRs; routes to the other nodes' podCIDRs, kept up to date",
      after: ['kubelet'],
      type: 'service',
      exec: ['/usr/lib/lab/xcluster-cni/pod-network'],
      ready: {
        exec: ['test', '-e', '/etc/cni/net.d/10-xcluster.conflist'],
        intervalMs: 1000,
        timeoutSec: 600,
      },
      restart: 'always',
    },
  ],
  tryNext: ['lab kubectl get nodes -o wide', 'lab kubeconfig --path', 'lab test k8s --no-start'],
});
