import { REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { cniPlugins } from '../cni/artifacts.js';
import { flannelImages } from './artifacts.js';

// flannel as the pod network (seed 002): a DaemonSet in kube-system (the addon manifest in
// root/etc/kubernetes/addons) from an image the lab registry serves, VXLAN between the nodes.
// Choose it with `lab start multus --pod-network flannel` (or podNetwork: flannel).
export default defineOverlay({
  name: 'flannel',
  description:
    'The pod network of seed 002: flannel (built from the Go module proxy) as a DaemonSet, VXLAN, both families',
  deps: ['k8s', 'private-reg'],
  provides: ['pod-network'],
  // bridge, host-local, portmap, loopback: what flannel's CNI plugin delegates to.
  artifacts: [
    { artifact: cniPlugins, into: '/opt/cni/bin' },
    { artifact: flannelImages, into: REGISTRY_STORAGE },
  ],
  modules: ['vxlan'],
  units: [
    {
      name: 'pod-network',
      description: "waits for flannel's DaemonSet: its CNI plugin and config, this node's subnet, flannel.1",
      after: ['kubelet', 'kube-proxy'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/flannel/pod-network'],
      timeoutSec: 600,
    },
  ],
  tryNext: [
    'lab kubectl -n kube-system get ds,pods -l app=flannel -o wide',
    'lab ssh vm-002 cat /run/flannel/subnet.env',
    'lab test flannel --no-start',
  ],
});
