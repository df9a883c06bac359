// The node-local IPAM filter (overlays/cni) in front of the real host-local plugin from the
// lab's cni-plugins artifact, run on the host with the hostname of a lab node (a private UTS
// namespace, so the host's own name is never touched).
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureArtifact } from '../../lab/artifacts/artifact.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';
import { cniPlugins } from '../../overlays/cni/artifacts.js';

let tmp = '';
const bin = () => join(tmp, 'bin');
const rangesDir = () => join(tmp, 'node-local');
const dataDir = () => join(tmp, 'data');

/** Runs node-local as CNI `command` on a host named `hostname`. */
function nodeLocal(command: 'ADD' | 'DEL', hostname: string, config: object, containerId = 'pod-a') {
  return execa(
    'unshare',
    ['--uts', 'sh', '-c', 'hostname "$1" && exec "$2"', 'sh', hostname, join(bin(), 'node-local')],
    {
      input: JSON.stringify(config),
      reject: false,
      env: {
        CNI_COMMAND: command,
        CNI_CONTAINERID: containerId,
        CNI_NETNS: '/dev/null',
        CNI_IFNAME: 'net1',
        CNI_PATH: bin(),
        NODE_LOCAL_DIR: rangesDir(),
      },
    },
  );
}

const network = (cfg: string) => ({
  cniVersion: '1.0.0',
  name: 'ipvlan-test',
  ipam: { type: 'node-local', cfg },
});

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('needs root (unshare --uts)');
  tmp = await mkdtemp(join(tmpdir(), 'lab-node-local-'));
  await mkdir(bin());
  await mkdir(rangesDir());
  const plugins = await ensureArtifact(cniPlugins);
  await copyFile(join(plugins.dir, 'host-local'), join(bin(), 'host-local'));
  await copyFile(join(PROJECT_ROOT, 'overlays/cni/root/opt/cni/bin/node-local'), join(bin(), 'node-local'));
  await execa('chmod', ['755', join(bin(), 'node-local'), join(bin(), 'host-local')]);
  await writeFile(
    join(rangesDir(), 'ipvlan'),
    JSON.stringify({
      ipam: {
        ranges: [
          [{ subnet: '10.3.0.0/16', rangeStart: '10.3.x.10', rangeEnd: '10.3.x.99' }],
          [
            {
              subnet: 'fd00:4c41:3::10.3.0.0/112',
              rangeStart: 'fd00:4c41:3::10.3.x.10',
              rangeEnd: 'fd00:4c41:3::10.3.x.99',
            },
          ],
        ],
        dataDir: dataDir(),
      },
    }),
  );
  await writeFile(join(rangesDir(), 'broken'), '{ "ipam": ');
}, 180_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('node-local IPAM', () => {
  it("gives addresses from the node's own range, both families, kept under the network's name", async () => {
    const run = await nodeLocal('ADD', 'vm-004', network('ipvlan'));
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { ips: { address: string }[] };
    expect(result.ips.map((ip) => ip.address)).toEqual(['10.3.4.10/16', 'fd00:4c41:3::a03:40a/112']);
    expect(
      (await readdir(join(dataDir(), 'ipvlan-test')))
        .filter((f) => !f.startsWith('last') && f !== 'lock')
        .sort(),
    ).toEqual(['10.3.4.10', 'fd00:4c41:3::a03:40a']);
  });

  it('another node gets another range from the same file', async () => {
    const run = await nodeLocal('ADD', 'vm-012', network('ipvlan'), 'pod-b');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('10.3.12.10/16');
  });

  it('DEL releases what ADD took', async () => {
    const run = await nodeLocal('DEL', 'vm-004', network('ipvlan'));
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(await readdir(join(dataDir(), 'ipvlan-test'))).not.toContain('10.3.4.10');
  });

  it.each([
    ['a hostname without a node index', 'router', network('ipvlan'), /node index from the hostname "router"/],
    ['a missing range file', 'vm-004', network('nosuch'), /no range config .*nosuch/],
    ['a path instead of a file name', 'vm-004', network('../etc/passwd'), /must be a plain file name/],
    [
      'no ipam.cfg',
      'vm-004',
      { cniVersion: '1.0.0', name: 'x', ipam: { type: 'node-local' } },
      /no "ipam.cfg"/,
    ],
    ['a range file that is not JSON', 'vm-004', network('broken'), /broken is not valid JSON/],
  ])('answers %s with a CNI error result and a non-zero exit', async (_what, hostname, config, message) => {
    const run = await nodeLocal('ADD', hostname, config);
    expect(run.exitCode).not.toBe(0);
    const error = JSON.parse(run.stdout) as { code: number; msg: string };
    expect(error.code).toBe(7);
    expect(error.msg).toMatch(message);
  });
});
