// lab deploy on a real lab: multus built from a local checkout (the pinned module's source with
// a fix of ours on top, as a developer's tree would be) lands on every node, says what it is,
// and works for the next pod; the pinned build goes back just as well; bad input exits 2.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MULTUS_MODULE, MULTUS_VERSION } from '../../overlays/cni/artifacts.js';
import { lab } from '../vm/helpers.js';

const NAME = 'deploy-a';
const scratch = mkdtempSync(join(tmpdir(), 'lab-deploy-test-'));
const tree = join(scratch, 'multus-cni');

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
  rmSync(scratch, { recursive: true, force: true });
});

const sh = (cmd: string, args: string[], cwd?: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout.trim();
};

/** The pinned multus source (from the Go module proxy) as a git checkout with a change on top. */
function developerTree(): string {
  const dir = JSON.parse(sh('go', ['mod', 'download', '-json', `${MULTUS_MODULE}@${MULTUS_VERSION}`]))
    .Dir as string;
  cpSync(dir, tree, { recursive: true });
  sh('chmod', ['-R', 'u+w', tree]);
  const git = (...args: string[]) =>
    sh('git', ['-c', 'user.name=lab', '-c', 'user.email=lab@localhost', ...args], tree);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', `multus ${MULTUS_VERSION} from the module proxy`);
  // The default-route fix (multus drops only a default route with a nil Dst; netlink >= 1.3
  // lists it as 0.0.0.0/0 or ::/0): uncommitted, so the version says -dirty.
  const file = join(tree, 'pkg/netutils/netutils.go');
  const before = readFileSync(file, 'utf8');
  const after = before.replace(
    'if nlroute.Dst == nil {',
    'if nlroute.Dst == nil || (nlroute.Dst.IP.IsUnspecified() && net.IP(nlroute.Dst.Mask).IsUnspecified()) {',
  );
  expect(after).not.toBe(before);
  writeFileSync(file, after);
  return `${git('rev-parse', '--short', 'HEAD')}-dirty`;
}

describe('lab deploy multus', () => {
  it('puts a local build on every node, the next pod uses it, and the pinned build comes back', async () => {
    const version = developerTree();
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
