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
  // veth + bridge for the bridge plugin, the rest for the plugins of the same name.
  modules: ['bridge', 'veth', 'macvlan', 'ipvlan'],
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5] },
});
