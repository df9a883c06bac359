import { defineOverlay } from '../../lab/overlay/manifest.js';
import { kubernetes } from './artifacts.js';

// Work in progress (issue: Kubernetes inside the VMs): the node software and the binaries are
// here; the PKI exists (lab/cluster); the boot units of the control plane and kubelets are not.
export default defineOverlay({
  name: 'k8s',
  description:
    'Kubernetes node software: etcd, containerd, runc (Debian) and the Kubernetes binaries; cluster units not yet',
  deps: ['multinet'],
  packages: [
    'etcd-server',
    'containerd',
    'runc',
    'iptables',
    'conntrack',
    'ethtool',
    'socat',
    'util-linux',
    'mount',
  ],
  artifacts: [{ artifact: kubernetes, into: '/usr/local/bin' }],
  // containerd's overlayfs snapshotter, pod veths on a bridge, bridged traffic seen by iptables.
  modules: ['overlay', 'br_netfilter', 'veth', 'bridge'],
  topology: { nvm: 2, mem: 2048 },
});
