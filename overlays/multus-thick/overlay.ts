import { REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { ADDONS_DIR } from '../../lab/overlay/user-layer.js';
import { MULTUS_THICK_IMAGE, multusThick, multusThickAddon, multusThickImages } from './artifacts.js';

// Multus as the thick plugin, the way seeds 002 and 003 install multus: a DaemonSet in
// kube-system (multus's own deployments/multus-daemonset-thick.yml) runs multus-daemon on every
// node, which writes 00-multus.conf in front of the pod network; containerd runs multus-shim,
// which hands each pod to the daemon. Choose it with `lab start multus --multus thick`.
export default defineOverlay({
  name: 'multus-thick',
  description:
    'Multus, the thick plugin: multus-daemon as a DaemonSet (upstream manifest), multus-shim per pod',
  deps: ['k8s', 'private-reg', 'cni'],
  provides: ['multus'],
  artifacts: [
    { artifact: multusThickImages, into: REGISTRY_STORAGE },
    { artifact: multusThickAddon, into: ADDONS_DIR },
  ],
  // `lab deploy multus --src ~/multus-cni`: the daemon's image rebuilt from the checkout, put
  // into the lab registry, and upstream's DaemonSet rolled out to it (no reboot).
  deployables: [
    {
      kind: 'image',
      name: 'multus',
      artifact: multusThick,
      images: multusThickImages,
      image: MULTUS_THICK_IMAGE,
      daemonSet: { namespace: 'kube-system', name: 'kube-multus-ds' },
    },
  ],
  units: [
    {
      name: 'multus',
      description: "waits for multus's DaemonSet: multus-shim, 00-multus.conf and the daemon's socket",
      after: ['pod-network'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/multus-thick/multus-ready'],
      timeoutSec: 600,
    },
  ],
  tryNext: ['lab kubectl -n kube-system get ds,pods -l app=multus -o wide'],
});
