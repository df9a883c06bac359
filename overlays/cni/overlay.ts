import { defineOverlay } from '../../lab/overlay/manifest.js';
import { cniPlugins, multus } from './artifacts.js';

export default defineOverlay({
  name: 'cni',
  description:
    'CNI without Kubernetes: reference plugins + multus in /opt/cni/bin, node-local IPAM, the lab-cni pod helper, example configs',
  deps: ['multinet'],
  artifacts: [
    { artifact: cniPlugins, into: '/opt/cni/bin' },
    { artifact: multus, into: '/opt/cni/bin' },
  ],
  // `lab deploy multus --src ~/multus-cni`: a developer's multus on every node, no reboot (the
  // thin plugin runs per pod, so the next pod uses it).
  deployables: [
    {
      kind: 'binary',
      name: 'multus',
      artifact: multus,
      binary: 'multus',
      into: '/opt/cni/bin',
      versionArgs: ['-version'],
    },
  ],
  // veth + bridge for the bridge plugin, the rest for the plugins of the same name.
  modules: ['bridge', 'veth', 'macvlan', 'ipvlan'],
  tryNext: [
    'lab ssh vm-001 lab-cni add pod1 /etc/cni/examples/multus.conf',
    'lab ssh vm-001 lab-cni exec pod1 ip -br addr',
    'lab test cni-multus --no-start',
  ],
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
});
