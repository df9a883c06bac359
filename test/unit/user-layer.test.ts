// The user's boot addons land after the overlays' own (kubectl applies a directory in name
// order), in the order given, each under a name that says whose file it was.
import { describe, expect, it } from 'vitest';
import { ADDONS_DIR, bootAddonPaths } from '../../lab/overlay/user-layer.js';

describe('bootAddonPaths', () => {
  it('keeps the order given, after every overlay addon, named after the file', () => {
    const paths = bootAddonPaths(['/x/calico.yaml', 'b/custom resources.json', 'a/z.yml']);
    expect(paths).toEqual([
      `${ADDONS_DIR}/zz-user-01-calico.yaml`,
      `${ADDONS_DIR}/zz-user-02-custom_resources.yaml`,
      `${ADDONS_DIR}/zz-user-03-z.yaml`,
    ]);
    expect([...paths].sort()).toEqual(paths);
    expect(
      [...paths, `${ADDONS_DIR}/flannel.yaml`, `${ADDONS_DIR}/multus-thick.yaml`].sort().slice(-3),
    ).toEqual(paths);
  });
});
