// What `lab deploy` can put into a running lab: a Go binary an overlay ships, rebuilt from a
// developer's checkout (or the overlay's pinned build put back). Overlays declare theirs
// (manifest `deployables`), so lab names no component here.
import type { ArtifactSpec } from '../artifacts/artifact.js';

export interface Deployable {
  /** What the user types: `lab deploy multus`. */
  name: string;
  /** The Go module a --src checkout must be (its go.mod's module line). */
  module: string;
  /** The main package inside the module, e.g. ./cmd/multus. */
  package: string;
  /** The binary's file name on the nodes. */
  binary: string;
  /** The directory on every node that holds it. */
  into: string;
  /** What the overlay ships: `lab deploy NAME` without --src puts it back. */
  pinned: ArtifactSpec;
  /** -X stamps for a local build, given the checkout's description (git describe). */
  stamps?: (version: string) => Record<string, string>;
  /** Arguments that make the binary print its version (run on a node after the copy). */
  versionArgs?: string[];
}
