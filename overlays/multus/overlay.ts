import { defineOverlay } from '../../lab/overlay/manifest.js';

// What every multus lab has, however multus runs (overlay multus-thin or multus-thick, chosen
// with --multus) and whatever the pod network is (--pod-network): the NAD CRD, the seeds'
// NADs, the nodes' extra NICs, the CNI plugins and node-local IPAM they use, images, DNS.
export default defineOverlay({
  name: 'multus',
  description:
    "Multus on Kubernetes (seeds 000, 002, 003): in front of the pod network, the NAD CRD and the seeds' NADs; thin plugin or thick daemon",
  // cni: the reference plugins, node-local IPAM and its range files. coredns: the multus lab is
  // the main one, and a cluster without DNS is not one users can work with.
  deps: ['k8s', 'multinet', 'private-reg', 'cni', 'coredns'],
  needs: ['pod-network', 'multus'],
  tryNext: [
    'lab kubectl get network-attachment-definitions',
    'lab kubectl apply -f overlays/multus/examples/alpine.yaml',
    'lab kubectl exec alpine -- ip -br addr',
    'lab test multus --no-start',
  ],
  topology: { nvm: 2, netsVm: [0, 1, 3, 4, 5], multus: 'thin' },
});
