// A lab name or a state file can never make lab reach outside the lab's own directory and
// namespace; process markers match whole paths only; bad numbers are usage errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lab/cli/main.js';
import { isInside } from '../../lab/lifecycle/teardown.js';
import { isOurProcess } from '../../lab/vm/process.js';
import { testTempDir } from '../support/temp-dir.js';

async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    process.exitCode = undefined;
    return { code: await main(['node', 'lab', ...args]), stderr };
  } finally {
    err.mockRestore();
    log.mockRestore();
    process.exitCode = undefined;
  }
}

let state = '';
const savedState = process.env.LAB_STATE;
beforeEach(() => {
  state = mkdtempSync(join(tmpdir(), 'lab-hardening-'));
  process.env.LAB_STATE = state;
});
afterEach(() => {
  process.env.LAB_STATE = savedState;
  rmSync(state, { recursive: true, force: true });
});

describe('lab names', () => {
  const commands: string[][] = [
    ['stop'],
    ['clean'],
    ['status'],
    ['ssh', 'vm-001', 'true'],
    ['kubeconfig'],
    ['kubectl', 'get', 'nodes'],
    ['console', 'vm-001'],
    ['capture', 'vm-001', 'eth0'],
    ['snapshot save'],
    ['graph'],
  ];
  for (const command of commands) {
    it(`lab ${command[0]} --name ../x: exit 2 with the name rule`, async () => {
      const [verb = '', ...rest] = command;
      const { code, stderr } = await runCli([...verb.split(' '), '--name', '../x', ...rest]);
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(/lab name "\.\.\/x" must be 1-12 characters/);
    });
  }

  it('a planted state file cannot make lab clean remove a directory outside the lab', async () => {
    const canary = testTempDir('lab-canary-');
    writeFileSync(join(canary, 'keep-me'), 'x');
    mkdirSync(join(state, 'labs', 'evil'), { recursive: true });
    writeFileSync(
      join(state, 'labs', 'evil', 'state.json'),
      JSON.stringify({
        version: 1,
        name: 'evil',
        dir: canary,
        phase: 'failed',
        ownerPid: 0,
        netns: 'not-this-lab',
        vms: [{ name: 'vm-001', dir: canary }],
        plan: { nodes: [] },
        config: {},
        overlays: [],
        timings: {},
      }),
    );
    const { code, stderr } = await runCli(['clean', '--name', 'evil']);
    expect(code, stderr).toBe(0);
    expect(existsSync(join(canary, 'keep-me'))).toBe(true);
    expect(existsSync(join(state, 'labs', 'evil'))).toBe(false);
  });

  it('isInside: only paths strictly below the directory', () => {
    expect(isInside('/s/labs/a', '/s/labs/a/vms/vm-001')).toBe(true);
    expect(isInside('/s/labs/a', '/s/labs/a')).toBe(false);
    expect(isInside('/s/labs/a', '/s/labs/a/../b')).toBe(false);
    expect(isInside('/s/labs/a', '/s/labs/ab/vms')).toBe(false);
    expect(isInside('/s/labs/a', '/tmp')).toBe(false);
  });
});

describe('isOurProcess', () => {
  it('matches a marker as a whole path, never a prefix of another name, never an empty marker', async () => {
    const child = spawn('sh', ['-c', 'sleep 30', '/tmp/labs/ab/vms/vm-001/qmp.sock'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(await isOurProcess(child.pid, '/tmp/labs/ab/vms/vm-001')).toBe(true);
      expect(await isOurProcess(child.pid, '/tmp/labs/ab')).toBe(true);
      expect(await isOurProcess(child.pid, '/tmp/labs/a')).toBe(false);
      expect(await isOurProcess(child.pid, '')).toBe(false);
      expect(await isOurProcess(child.pid, 'labs')).toBe(false);
    } finally {
      child.kill();
    }
  });
});

describe('numbers', () => {
  it('--boot-timeout abc and 0 are usage errors', async () => {
    for (const value of ['abc', '0']) {
      const { code, stderr } = await runCli(['start', '--boot-timeout', value]);
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(/--boot-timeout/);
    }
  });
});

describe('overlay and scenario names are names, never paths to import', () => {
  it('a topology naming ../x exits 2 and never runs that module', async () => {
    const dir = testTempDir('lab-evil-');
    const marker = join(dir, 'ran');
    mkdirSync(join(dir, 'evil'));
    writeFileSync(
      join(dir, 'evil', 'overlay.js'),
      `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};\n`,
    );
    writeFileSync(
      join(dir, 'evil', 'overlay.ts'),
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};\n`,
    );
    const topology = join(dir, 'topology.yaml');
    writeFileSync(topology, `overlays: ["../../../../../../../..${dir}/evil"]\n`);
    const { code, stderr } = await runCli(['env', '--topology', topology]);
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/is not an overlay name/);
    expect(existsSync(marker)).toBe(false);
    const scenario = await runCli(['test', `../../../../../../../..${dir}/evil`]);
    expect(scenario.code, scenario.stderr).toBe(2);
    expect(scenario.stderr).toMatch(/is not a scenario name/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('locks', () => {
  it('a command waiting on a held lock says at once who holds it', async () => {
    const { withLabLock } = await import('../../lab/lifecycle/state.js');
    let releaseHolder: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      releaseHolder = resolve;
    });
    const holder = withLabLock(
      'locked',
      () => held,
      () => {},
    );
    await new Promise((r) => setTimeout(r, 200));
    const notes: string[] = [];
    const started = Date.now();
    const waiter = withLabLock(
      'locked',
      async () => 'got it',
      (who) => notes.push(`${Date.now() - started} ${who}`),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(new RegExp(`^\\d+ process ${process.pid} \\(lab `));
    expect(Number(notes[0]?.split(' ')[0])).toBeLessThan(2000);
    releaseHolder();
    await holder;
    expect(await waiter).toBe('got it');
  });
});

describe('QEMU arguments from odd state directories', () => {
  it('doubles commas inside option values and flags socket paths too long for a unix socket', async () => {
    const { qemuArgs, tooLongSockets } = await import('../../lab/vm/qemu-args.js');
    const { mergeConfig } = await import('../../lab/topology/config.js');
    const { planLab } = await import('../../lab/topology/plan.js');
    const node = planLab(mergeConfig([{ nvm: 1 }])).nodes[0];
    if (!node) throw new Error('no node');
    const dir = '/tmp/a,b/labs/x/vms/vm-001';
    const args = qemuArgs(
      node,
      { accel: 'tcg', cpu: 'Nehalem' },
      {
        dir,
        kernel: '/k',
        initrd: `${dir}/initrd.cpio.gz`,
        layers: ['/c,d/layer.sqfs'],
        scratch: `${dir}/scratch.qcow2`,
      },
      { labName: 'x', machine: 'pc-q35-7.2' },
    );
    expect(args).toContain('unix:/tmp/a,,b/labs/x/vms/vm-001/qmp.sock,server=on,wait=off');
    expect(args).toContain('file=/c,,d/layer.sqfs,if=none,id=lab0,format=raw,readonly=on');
    // Option lists (key=value,…) have every comma of a path doubled; plain path arguments need none.
    expect(args.filter((a) => a.includes('=') && a.includes('/tmp/a,b'))).toEqual([]);
    expect(tooLongSockets(dir)).toEqual([]);
    expect(tooLongSockets(`/tmp/${'x'.repeat(100)}`)).toHaveLength(2);
  });
});
