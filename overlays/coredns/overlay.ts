import { REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { corednsImages } from './artifacts.js';

// Cluster DNS: CoreDNS as a Deployment behind the Service 10.96.0.10 and fd00:4c41:96::a (the
// addon manifest in root/etc/kubernetes/addons), its image served by the lab registry. Its pod
// needs a pod network, which another overlay provides (xcluster-cni, flannel).
export default defineOverlay({
  name: 'coredns',
  description:
    'Cluster DNS: CoreDNS (built from the Go module proxy) behind the kube-dns Service, both families',
  deps: ['k8s', 'private-reg'],
  needs: ['pod-network'],
  artifacts: [{ artifact: corednsImages, into: REGISTRY_STORAGE }],
  units: [
    {
      name: 'cluster-dns',
      description: 'waits until kube-dns answers for kubernetes.default on both its addresses',
      if: 'test -e /etc/kubernetes/control-plane',
      after: ['addons', 'kube-proxy'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/coredns/cluster-dns'],
      // The first pull and start of the CoreDNS pod under TCG, after the pod network is up.
      timeoutSec: 600,
    },
  ],
  tryNext: [
    'lab kubectl -n kube-system get deploy,svc,pods -l k8s-app=kube-dns -o wide',
    'lab kubectl run dns --image docker.io/lab/toolbox:1 -- nslookup kubernetes.default',
  ],
});
