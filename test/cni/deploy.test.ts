// A developer's multus on a real lab: built from a local checkout (the pinned module's source
// with a fix of ours on top, as a developer's tree would be) by lab start --src and by lab
// deploy --src, it lands on every node, says what it is, and works for the next pod; the
// pinned build goes back just as well; bad input exits 2.
// (Scenario multus-default-route shows on Kubernetes what the fix changes.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CNI_PLUGINS_MODULE, MULTUS_VERSION } from '../../overlays/cni/artifacts.js';
import { moduleCheckout } from '../../scenarios/support/module-tree.js';
import { multusTreeWithRouteFix } from '../../scenarios/support/multus-fix.js';
import { lab } from '../vm/helpers.js';

const NAME = 'deploy-a';
const scratch = mkdtempSync(join(tmpdir(), 'lab-deploy-test-'));
const tree = join(scratch, 'multus-cni');
const plugins = join(scratch, 'plugins');
/** A containernetworking/plugins release the Go module proxy serves (the lab's own are Debian's). */
const PLUGINS_VERSION = 'v1.10.0';
/** What lab stamps the checkout's build with (git describe of the tree). */
let version = '';

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('lab deploy multus', () => {
  it("lab start --src boots with the checkout's build, the pinned one comes back, a deploy puts the local one again", async () => {
    version = await multusTreeWithRouteFix(tree);
    const pluginsGit = await moduleCheckout(CNI_PLUGINS_MODULE, PLUGINS_VERSION, plugins);
    const pluginsVersion = await pluginsGit('rev-parse', '--short', 'HEAD');
    const start = await lab([
      'start',
      'cni',
      '--name',
      NAME,
      '--no-snapshot',
      '--src',
      tree,
      '--src',
      plugins,
    ]);
    expect(start.exitCode, start.all).toBe(0);
    expect(start.stdout).toContain(`built from your checkout: multus ${version} (${tree})`);
    expect(start.stdout).toContain(`built from your checkout: cni-plugins ${pluginsVersion} (${plugins})`);
    for (const vm of ['vm-001', 'vm-002']) {
      const booted = await lab([
        'ssh',
        '--name',
        NAME,
        vm,
        '/opt/cni/bin/multus -version; /opt/cni/bin/bridge --version 2>&1',
      ]);
      expect(booted.stdout).toMatch(new RegExp(`multus: version:${version}\\(.*\\), commit:${version},`));
      expect(booted.stdout).toContain(`CNI bridge plugin ${pluginsVersion}`);
    }

    const pinned = await lab(['deploy', 'multus', '--name', NAME]);
    expect(pinned.exitCode, pinned.all).toBe(0);
    expect(pinned.stdout).toMatch(new RegExp(`^deployed multus ${MULTUS_VERSION} to 2 VM\\(s\\)`, 'm'));
    expect(pinned.stderr).toMatch(
      new RegExp(`vm-002: multus: version:${MULTUS_VERSION}\\(.*\\), commit:go-module-proxy`),
    );

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
    expect(status.stdout).toContain(`deployed: multus ${version} from ${tree}`);
    const notBuilt = await lab(['start', 'cni', '--name', 'deploy-b', '--src', join(tree, 'e2e')]);
    expect(notBuilt.exitCode).toBe(2);
    expect(notBuilt.stderr).toMatch(/--src \S+: (no go.mod there|this lab builds nothing from module)/);
  });
});
