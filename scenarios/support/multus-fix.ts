// A developer's multus tree with a fix of ours, as `lab deploy multus --src` takes it: the
// pinned module's source (from the Go module proxy) as a git checkout with one uncommitted
// change. The fix: multus v4.3.0 deletes only default routes with a nil Dst before it sets the
// one a pod's networks annotation asks for ("default-route"); netlink >= 1.3 lists a default
// route as 0.0.0.0/0 or ::/0, so eth0's stays and the requested one is never added (upstream
// multus-cni PR #1552).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MULTUS_MODULE, MULTUS_VERSION } from '../../overlays/cni/artifacts.js';
import { moduleCheckout } from './module-tree.js';

const FIXED_FILE = 'pkg/netutils/netutils.go';
const BUGGY = 'if nlroute.Dst == nil {';
const FIXED =
  'if nlroute.Dst == nil || (nlroute.Dst.IP.IsUnspecified() && net.IP(nlroute.Dst.Mask).IsUnspecified()) {';

/** Makes the tree in `dir` (which must not exist); returns the version `lab deploy` will stamp. */
export async function multusTreeWithRouteFix(dir: string): Promise<string> {
  const git = await moduleCheckout(MULTUS_MODULE, MULTUS_VERSION, dir);
  const file = join(dir, FIXED_FILE);
  const before = await readFile(file, 'utf8');
  if (!before.includes(BUGGY))
    throw new Error(`${FIXED_FILE} of multus ${MULTUS_VERSION} no longer has "${BUGGY}": update the fix`);
  await writeFile(file, before.replace(BUGGY, FIXED));
  return `${await git('rev-parse', '--short', 'HEAD')}-dirty`;
}
