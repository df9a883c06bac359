import { REGISTRY_STORAGE } from '../../lab/cluster/lab-images.js';
import { defineOverlay } from '../../lab/overlay/manifest.js';
import { conformanceImages } from './artifacts.js';

// What Kubernetes' own e2e tests need inside a lab without internet: their images, served by
// the lab registry under the names the tests use. The tests themselves (e2e.test) run on the
// host against the lab's API server: scenario k8s-conformance-network.
export default defineOverlay({
  name: 'conformance',
  description:
    "Kubernetes' e2e test images (agnhost built from the same module as the tests) in the lab registry",
  deps: ['k8s', 'private-reg', 'coredns'],
  artifacts: [{ artifact: conformanceImages, into: REGISTRY_STORAGE }],
  tryNext: ['lab test k8s-conformance-network --no-start', 'lab images'],
});
