// What `lab deploy` can put into a running lab: a Go program an overlay ships, rebuilt from a
// developer's checkout (or the overlay's pinned build put back). Overlays declare theirs
// (manifest `deployables`), so lab names no component here. Two kinds: a binary copied onto
// every node (a CNI plugin, which the next pod runs), or an image a workload runs (a daemon:
// the image goes into the lab registry, the workload rolls out to it).
import type { ArtifactSpec } from '../artifacts/artifact.js';
import type { CheckoutBuild } from '../artifacts/providers/checkout.js';
import type { ImageSetSpec } from '../cluster/lab-images.js';

/** An artifact a --src checkout can replace: its `checkout` says how to build it. */
export type CheckoutArtifact = ArtifactSpec & { checkout: CheckoutBuild };

export interface BinaryDeployable {
  kind: 'binary';
  /** What the user types: `lab deploy multus`. */
  name: string;
  /** What the overlay ships (`lab deploy NAME` without --src puts it back). */
  artifact: CheckoutArtifact;
  /** The binary's file name on the nodes (one of the artifact's files). */
  binary: string;
  /** The directory on every node that holds it. */
  into: string;
  /** Arguments that make the binary print its version (run on a node after the copy). */
  versionArgs?: string[];
}

export interface ImageDeployable {
  kind: 'image';
  name: string;
  /** The artifact inside the image that a --src checkout replaces. */
  artifact: CheckoutArtifact;
  /** The image set that holds the image (its files include `artifact`). */
  images: ImageSetSpec;
  /** The image as the workload names it, e.g. ghcr.io/k8snetworkplumbingwg/multus-cni:snapshot-thick. */
  image: string;
  /** The workload whose containers run the image: it is rolled out to the new image's digest. */
  daemonSet: { namespace: string; name: string };
}

export type Deployable = BinaryDeployable | ImageDeployable;
