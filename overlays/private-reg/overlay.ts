import { labImages, REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { pullImagesBeforeSave } from './before-save.js';

export default defineOverlay({
  name: 'private-reg',
  description:
    "A registry on vm-001 serving the lab's images (built from Debian packages); containerd on every node pulls through it",
  deps: ['k8s'],
  packages: ['docker-registry'],
  artifacts: [{ artifact: labImages, into: REGISTRY_STORAGE }],
  // The images every pod pulls, in each node's containerd before a snapshot is saved.
  beforeSave: pullImagesBeforeSave,
  units: [
    {
      name: 'registry',
      description: 'Docker registry on :5000 (vm-001), read only',
      if: 'test -e /etc/kubernetes/control-plane',
      after: ['net'],
      type: 'service',
      exec: ['/usr/bin/docker-registry', 'serve', '/etc/docker/registry/lab.yml'],
      ready: {
        exec: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:5000/v2/'],
        intervalMs: 500,
        timeoutSec: 120,
      },
      restart: 'always',
    },
  ],
});
