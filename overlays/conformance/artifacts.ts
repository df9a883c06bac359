// The images Kubernetes' e2e tests run, under the names the tests ask for
// (test/utils/image/manifest.go of k8s.io/kubernetes v1.34.2), built here: agnhost from the
// same module as the tests, the rest from Debian packages. A lab has no internet, so a test
// whose image is not here waits for it until it fails.

import { imageSet, LAB_IMAGES, type LabImage } from '../../lab/cluster/lab-images.js';
import { corednsImages } from '../coredns/artifacts.js';
import { agnhost, kubernetesModuleFile } from '../k8s/artifacts.js';

const E2E = 'registry.k8s.io/e2e-test-images';
const coredns = corednsImages.images[0]?.files?.[0];
const pause = LAB_IMAGES.find((image) => image.repository === 'pause');

/** agnhost as upstream's Dockerfile builds it (Alpine there, Debian here): its tools, CoreDNS, porter's key pair. */
const AGNHOST: LabImage = {
  ref: `${E2E}/agnhost:2.56`,
  repository: 'e2e-test-images/agnhost',
  tag: '2.56',
  // coreutils: with sh being bash (below), the tests' scripts find only real programs on PATH
  // (the session affinity tests run `seq`); libc-bin: the DNS tests' probes run `getent hosts`.
  packages: [
    'bind9-dnsutils',
    'curl',
    'netcat-openbsd',
    'iproute2',
    'iperf',
    'bash',
    'coreutils',
    'libc-bin',
    'busybox-static',
  ],
  applets: true,
  files: [
    { artifact: agnhost, into: '/' },
    // The DNS tests run CoreDNS from this image ("configurable pod DNS nameservers").
    ...(coredns ? [coredns] : []),
    { hostFile: kubernetesModuleFile('test/images/agnhost/porter/localhost.crt'), into: '/' },
    { hostFile: kubernetesModuleFile('test/images/agnhost/porter/localhost.key'), into: '/' },
  ],
  dirs: ['uploads'],
  links: {
    'agnhost-2': 'agnhost',
    // Debian makes /usr/bin/nc in netcat-openbsd's maintainer script (update-alternatives),
    // which an image build never runs: without this link nc was busybox's, which has neither
    // -v nor -u, and the Services and HostPort tests that run `nc -v -t`/`nc -u` failed on it.
    '/usr/bin/nc': 'nc.openbsd',
    // And their `sh -c '… | nc …'` must find it: Debian's static busybox sh runs its own
    // applets before anything on PATH, so sh is bash here (Alpine's, upstream's, does not).
    '/usr/bin/sh': 'bash',
  },
  users: ['user-defined-in-image:x:1000:50000::/tmp:/bin/sh'],
  entrypoint: ['/agnhost'],
  cmd: ['pause'],
};

export const conformanceImages = imageSet({
  name: 'conformance-images',
  description: "the images of Kubernetes' e2e tests (registry storage)",
  images: [
    AGNHOST,
    // The DNS tests' second prober: dig, getent and a shell.
    {
      ref: `${E2E}/jessie-dnsutils:1.7`,
      repository: 'e2e-test-images/jessie-dnsutils',
      tag: '1.7',
      packages: ['bind9-dnsutils', 'libc-bin', 'bash', 'busybox-static'],
      applets: true,
      cmd: ['/bin/sh'],
    },
    {
      ref: `${E2E}/busybox:1.37.0-1`,
      repository: 'e2e-test-images/busybox',
      tag: '1.37.0-1',
      packages: ['busybox-static'],
      applets: true,
      cmd: ['/bin/sh'],
    },
    // EndpointSlice tests run nginx pods: Debian's nginx, in the foreground.
    {
      ref: `${E2E}/nginx:1.14-4`,
      repository: 'e2e-test-images/nginx',
      tag: '1.14-4',
      packages: ['nginx'],
      dirs: ['var/lib/nginx', 'var/log/nginx', 'run'],
      users: ['www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin'],
      cmd: ['nginx', '-g', 'daemon off;'],
    },
    // The pause image the tests name (the kubelet's sandbox image is 3.10, overlay private-reg).
    ...(pause ? [{ ...pause, ref: 'registry.k8s.io/pause:3.10.1', tag: '3.10.1' }] : []),
  ],
});
