import { defineOverlay } from '../../lab/overlay/manifest.js';

export default defineOverlay({
  name: 'base',
  description:
    'Every VM: kernel modules, SSH (dropbear) with the lab key, a root shell on the serial console',
  units: [
    {
      name: 'modules',
      description: 'load the kernel modules every overlay listed in /etc/lab/modules.d',
      type: 'oneshot',
      exec: ['/usr/lib/lab/load-modules'],
    },
    {
      name: 'sshd',
      description: 'SSH server on port 22, key login only',
      type: 'service',
      // Keys come per lab in /lab/ssh (docs/guest-protocol.md): host key already in dropbear's
      // format, authorized_keys read from there (-D).
      exec: [
        '/usr/sbin/dropbear',
        '-F',
        '-E',
        '-s',
        '-p',
        '22',
        '-r',
        '/lab/ssh/host_ed25519',
        '-D',
        '/lab/ssh',
      ],
      ready: { exec: ['/usr/lib/lab/port-listening', '22'], intervalMs: 200, timeoutSec: 30 },
      restart: 'always',
    },
    {
      name: 'console',
      description: 'root shell on the serial console (lab console VM)',
      type: 'service',
      exec: ['/usr/lib/lab/console-shell'],
      restart: 'always',
    },
  ],
});
