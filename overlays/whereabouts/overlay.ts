import { REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { ADDONS_DIR } from '../../lab/overlay/user-layer.js';
import { whereaboutsAddon, whereaboutsImages } from './artifacts.js';

// Cluster-wide IPAM for NADs: whereabouts v0.9.2's own DaemonSet and CRDs (read from the Go
// module cache), its image built here, and a NAD that uses it (whereabouts-macvlan).
export default defineOverlay({
  name: 'whereabouts',
  description:
    'whereabouts (cluster-wide IPAM) as its DaemonSet with the ip-reconciler, and a macvlan NAD using it',
  deps: ['multus'],
  artifacts: [
    { artifact: whereaboutsImages, into: REGISTRY_STORAGE },
    { artifact: whereaboutsAddon, into: ADDONS_DIR },
  ],
  units: [
    {
      name: 'whereabouts',
      description: "waits for whereabouts' DaemonSet: the plugin and its config on this node",
      after: ['kubelet'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/whereabouts/whereabouts-ready'],
      timeoutSec: 600,
    },
  ],
  tryNext: [
    'lab kubectl -n kube-system get ds,pods -l app=whereabouts -o wide',
    'lab kubectl -n kube-system get ippools.whereabouts.cni.cncf.io -o yaml',
    'lab test whereabouts --no-start',
  ],
});
