import { defineOverlay } from '../../lab/overlay/manifest.js';

export default defineOverlay({
  name: 'multinet',
  description:
    'Configures every NIC from the topology: planned name (by MAC), up, IPv4 + IPv6 on addressed nets',
  units: [
    {
      name: 'net',
      description: 'name, bring up and address every NIC listed in /lab/node.json',
      after: ['modules'],
      type: 'oneshot',
      exec: ['/usr/lib/lab/multinet-up'],
      timeoutSec: 60,
    },
  ],
  modules: ['virtio_net'],
});
