// What `lab deploy` can put into a running lab: a Go binary an overlay ships, rebuilt from a
// developer's checkout (or the overlay's pinned build put back). Overlays declare theirs
// (manifest `deployables`), so lab names no component here.
import type { ArtifactSpec } from '../artifacts/artifact.js';
import type { CheckoutBuild } from '../artifacts/providers/checkout.js';

export interface Deployable {
  /** What the user types: `lab deploy multus`. */
  name: string;
  /** What the overlay ships (`lab deploy NAME` without --src puts it back); its `checkout` says how a --src builds it. */
  artifact: ArtifactSpec & { checkout: CheckoutBuild };
  /** The binary's file name on the nodes (one of the artifact's files). */
  binary: string;
  /** The directory on every node that holds it. */
  into: string;
  /** Arguments that make the binary print its version (run on a node after the copy). */
  versionArgs?: string[];
}
