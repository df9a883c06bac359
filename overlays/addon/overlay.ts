import { defineOverlay } from '../../lab/overlay/manifest.js';
import { cniPlugins } from '../cni/artifacts.js';

// The pod network from a user's manifest: Calico (seed 003), or any network add-on that comes
// as a DaemonSet writing its CNI config, with its images from --image archives. The nodes are
// what kind's are without their default network: the reference CNI plugins in /opt/cni/bin,
// forwarding on, the tunnel and ipset modules add-ons use. Choose it with
// `lab start k8s --pod-network addon --addon calico.yaml --image calico-images.tar`.
export default defineOverlay({
  name: 'addon',
  description:
    "The pod network from your --addon manifest (e.g. Calico's) and --image archives, applied during the boot",
  deps: ['k8s', 'private-reg'],
  provides: ['pod-network'],
  bootAddons: 'the pod network',
  artifacts: [{ artifact: cniPlugins, into: '/opt/cni/bin' }],
  // Encapsulations (VXLAN, IP-in-IP, Geneve, WireGuard) and what network policy engines match
  // with (ipsets, rpfilter, bpf, u32, NFLOG); Calico, Cilium's iptables mode, Antrea and flannel
  // load from these. The image holds only listed modules.
  modules: [
    'vxlan',
    'ipip',
    'sit',
    'ip6_tunnel',
    'geneve',
    'wireguard',
    'ip_set',
    'ip_set_hash_ip',
    'ip_set_hash_net',
    'ip_set_hash_ipport',
    'ip_set_hash_ipportnet',
    'ip_set_bitmap_port',
    'xt_set',
    'xt_u32',
    'xt_bpf',
    'xt_physdev',
    'ipt_rpfilter',
    'ip6t_rpfilter',
    'nf_conntrack_netlink',
    'xt_NFLOG',
    'nfnetlink_log',
  ],
  units: [
    {
      name: 'pod-network',
      description: "waits for the add-on's CNI config in /etc/cni/net.d (its DaemonSet writes it)",
      after: ['kubelet'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/addon/pod-network'],
      // The first pull and start of the add-on's pods under TCG.
      timeoutSec: 600,
    },
  ],
  tryNext: ['lab kubectl get nodes -o wide', 'lab kubectl get ds -A', 'lab ssh vm-002 ls /etc/cni/net.d'],
});
