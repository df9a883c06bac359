// lab deploy on a real lab: multus built from a local checkout (the pinned module's source with
// a fix of ours on top, as a developer's tree would be) lands on every node, says what it is,
// and works for the next pod; the pinned build goes back just as well; bad input exits 2.
// (Scenario multus-default-route shows on Kubernetes what the fix changes.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MULTUS_VERSION } from '../../overlays/cni/artifacts.js';
import { multusTreeWithRouteFix } from '../../scenarios/support/multus-fix.js';
import { lab } from '../vm/helpers.js';

const NAME = 'deploy-a';
const scratch = mkdtempSync(join(tmpdir(), 'lab-deploy-test-'));
const tree = join(scratch, 'multus-cni');

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('lab deploy multus', () => {
  it('puts a local build on every node, the next pod uses it, and the pinned build comes back', async () => {
    const version = await multusTreeWithRouteFix(tree);
    const start = await lab(['start', 'cni', '--name', NAME, '--no-snapshot']);
    expect(start.exitCode, start.all).toBe(0);

    const local = await lab(['deploy', 'multus', '--name', NAME, '--src', tree]);
    expect(local.exitCode, local.all).toBe(0);
    expect(local.stdout).toMatch(new RegExp(`^deployed multus ${version} to 2 VM\\(s\\)`, 'm'));
    for (const vm of ['vm-001', 'vm-002'])
      expect(local.stderr).toMatch(
        new RegExp(`${vm}: multus: version:${version}\\(.*\\), commit:${version},`),
      );
    console.log(local.stdout);
    const status = await lab(['status', '--name', NAME]);
    expect(status.stdout).toContain(`deployed: multus ${version} from ${tree}`);

    const add = await lab([
      'ssh',
      '--name',
      NAME,
      'vm-001',
      'lab-cni add pod1 /etc/cni/examples/multus.conf',
    ]);
    expect(add.exitCode, add.all).toBe(0);
    const links = await lab(['ssh', '--name', NAME, 'vm-001', 'lab-cni exec pod1 ip -br link']);
    expect(links.stdout).toMatch(/^net1@?\S*\s/m);

    const pinned = await lab(['deploy', 'multus', '--name', NAME]);
    expect(pinned.exitCode, pinned.all).toBe(0);
    expect(pinned.stdout).toMatch(new RegExp(`^deployed multus ${MULTUS_VERSION} to 2 VM\\(s\\)`, 'm'));
    expect(pinned.stderr).toMatch(
      new RegExp(`vm-002: multus: version:${MULTUS_VERSION}\\(.*\\), commit:go-module-proxy`),
    );
  });

  it('bad input exits 2 naming it, and changes nothing', async () => {
    const nowhere = await lab(['deploy', 'multus', '--name', NAME, '--src', join(scratch, 'nowhere')]);
    expect(nowhere.exitCode).toBe(2);
    expect(nowhere.stderr).toContain(`--src ${join(scratch, 'nowhere')}: no go.mod there`);
    const wrong = await lab(['deploy', 'multus', '--name', NAME, '--src', join(tree, 'e2e')]);
    expect([wrong.exitCode, wrong.stderr]).toEqual([
      2,
      expect.stringMatching(/no go.mod there|not gopkg.in/),
    ]);
    const nothing = await lab(['deploy', 'flannel', '--name', NAME]);
    expect(nothing.exitCode).toBe(2);
    expect(nothing.stderr).toContain('has nothing called "flannel" to deploy');
    expect(nothing.stderr).toContain('deployable here: multus');
    const status = await lab(['status', '--name', NAME]);
    expect(status.stdout).toContain(`deployed: multus ${MULTUS_VERSION} from the overlay's pinned build`);
  });
});
