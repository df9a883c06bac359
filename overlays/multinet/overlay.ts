import { defineOverlay } from '../../lab/overlay/manifest.js';

export default defineOverlay({
  name: 'multinet',
  description:
    'Configures every NIC from the topology: planned name (by MAC), up, IPv4 + IPv6 on addressed nets',
  tryNext: ['lab test multinet --no-start'],
  units: [
    {
      name: 'net',
      // No `after: modules`: virtio_net is loaded by stage 1 (images/base.ts STAGE1_MODULES).
      description: 'name, bring up and address every NIC listed in /lab/node.json',
      type: 'oneshot',
      exec: ['/usr/lib/lab/multinet-up'],
      timeoutSec: 60,
    },
  ],
});
