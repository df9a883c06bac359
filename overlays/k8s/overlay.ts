import { APISERVER_FORWARD } from '../../lab/cluster/host-access.js';
import { IPTABLES_NFT_LINKS } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { kubeProxy, kubernetes } from './artifacts.js';
import { prepareCluster } from './cluster.js';
import { afterRestore } from './restore.js';

const CONTROL_PLANE = 'test -e /etc/kubernetes/control-plane';
const KUBE_PROXY_MODULES = [
  'nf_tables',
  'nft_compat',
  'nft_chain_nat',
  'nft_ct',
  'nft_nat',
  'nft_masq',
  'nft_reject_inet',
  'nf_conntrack',
  'nf_nat',
  'xt_conntrack',
  'xt_comment',
  'xt_mark',
  'xt_MASQUERADE',
  'xt_addrtype',
  'xt_statistic',
  'xt_recent',
  'xt_nat',
  'xt_tcpudp',
  'xt_multiport',
  'ipt_REJECT',
  'ip6t_REJECT',
];
// Unit limits stay below the boot timeout but leave room for a busy host: with two Kubernetes
// labs side by side on 2 cores the API server took 180 s to be ready, addons over 300 s.
const UNIT_TIMEOUT_SEC = 600;
const ready = (unit: string, timeoutSec = UNIT_TIMEOUT_SEC) => ({
  exec: ['/usr/lib/lab/k8s/ready', unit],
  intervalMs: 1000,
  timeoutSec,
});

// Control plane on vm-001 and a kubelet on every node; nodes turn Ready with a pod network
// (an overlay that provides one: xcluster-cni unless the lab chooses another) and pods need the
// lab registry's images (overlay private-reg).
export default defineOverlay({
  name: 'k8s',
  description:
    'Kubernetes: etcd + control plane on vm-001, containerd + kubelet on every node, a PKI per lab',
  deps: ['multinet'],
  needs: ['pod-network'],
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
  links: IPTABLES_NFT_LINKS,
  artifacts: [
    { artifact: kubernetes, into: '/usr/local/bin' },
    { artifact: kubeProxy, into: '/usr/local/bin' },
  ],
  // containerd's overlayfs snapshotter, pod veths on a bridge, bridged traffic seen by iptables;
  // then what kube-proxy's iptables rules use (Debian's iptables is iptables-nft: nf_tables
  // with the xt matches and targets through nft_compat). The image holds only listed modules.
  modules: ['overlay', 'br_netfilter', 'veth', 'bridge', ...KUBE_PROXY_MODULES],
  prepare: prepareCluster,
  // A restored cluster: leases renewed after the clock jump, every node Ready again.
  afterRestore,
  // `lab kubeconfig` and the host's kubectl reach the API server through this.
  hostForwards: [{ name: APISERVER_FORWARD, port: 6443 }],
  // Under TCG the API server alone needs ~30 s to serve, the whole control plane minutes.
  bootTimeoutSec: 900,
  units: [
    {
      name: 'etcd',
      description: 'etcd for the API server (control-plane node, loopback only)',
      if: CONTROL_PLANE,
      after: ['net'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/etcd'],
      ready: ready('etcd', 120),
      restart: 'always',
    },
    {
      name: 'kube-apiserver',
      description: 'Kubernetes API server on :6443',
      if: CONTROL_PLANE,
      after: ['etcd'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/kube-apiserver'],
      ready: ready('kube-apiserver', 600),
      restart: 'always',
    },
    {
      name: 'kube-controller-manager',
      description: 'controllers, node podCIDR allocation',
      if: CONTROL_PLANE,
      after: ['kube-apiserver'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/kube-controller-manager'],
      ready: ready('kube-controller-manager'),
      restart: 'always',
    },
    {
      name: 'kube-scheduler',
      description: 'the scheduler',
      if: CONTROL_PLANE,
      after: ['kube-apiserver'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/kube-scheduler'],
      ready: ready('kube-scheduler'),
      restart: 'always',
    },
    {
      name: 'addons',
      description: 'apply every manifest in /etc/kubernetes/addons (overlays put theirs there)',
      if: CONTROL_PLANE,
      after: ['kube-apiserver'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/k8s/addons'],
      timeoutSec: UNIT_TIMEOUT_SEC,
    },
    {
      name: 'containerd',
      description: 'container runtime for the kubelet',
      after: ['modules'],
      type: 'service',
      exec: ['/usr/bin/containerd', '--config', '/etc/containerd/config.toml'],
      ready: ready('containerd', 120),
      restart: 'always',
    },
    {
      name: 'kubelet',
      description: 'the node agent; registers the node with its net-1 addresses',
      after: ['containerd', 'net', 'kube-apiserver'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/kubelet'],
      ready: ready('kubelet', 600),
      restart: 'always',
    },
    {
      name: 'kube-proxy',
      description: 'Services: ClusterIP and NodePort of both families, iptables mode',
      after: ['modules', 'net', 'kube-apiserver'],
      type: 'service',
      exec: ['/usr/lib/lab/k8s/kube-proxy'],
      ready: ready('kube-proxy'),
      restart: 'always',
    },
    {
      name: 'node-ready',
      description: 'waits until Kubernetes says this node is Ready, so lab start ends with a usable cluster',
      // pod-network: the unit of whichever overlay provides the pod network.
      after: ['pod-network'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/k8s/node-ready'],
      timeoutSec: UNIT_TIMEOUT_SEC,
    },
  ],
  topology: { nvm: 2, mem: 2048, podNetwork: 'xcluster-cni' },
});
