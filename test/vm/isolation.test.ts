// Per-lab namespaces make labs independent: two run the scenario side by side, and a start
// killed with -9 half-way is cleaned up exactly, while the lab beside it keeps running.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labDirOf, labEnv, netnsList, qemuProcesses, RESULTS, ROOT } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordedPids(name: string): number[] {
  try {
    const state = JSON.parse(readFileSync(join(labDirOf(name), 'state.json'), 'utf8')) as {
      vms: { pid?: number }[];
    };
    return state.vms.map((v) => v.pid).filter((p): p is number => typeof p === 'number');
  } catch {
    return [];
  }
}

afterAll(async () => {
  // Whatever happened above, leave the machine clean.
  for (const name of ['par-a', 'par-b', 'beside', 'crashed']) await lab(['clean', '--name', name]);
});

describe('two labs at once', () => {
  it('both pass multinet, in parallel', async () => {
    const [a, b] = await Promise.all(
      ['par-a', 'par-b'].map((name) =>
        lab(['test', 'multinet', '--name', name, '--results', join(RESULTS, name)]),
      ),
    );
    for (const run of [a, b]) {
      expect(run?.all, run?.all).toMatch(/^5 passed, 0 failed$/m);
      expect(run?.exitCode, run?.all).toBe(0);
    }
    expect(netnsList().filter((n) => n.startsWith('lab-par-'))).toEqual([]);
  });
});

describe('kill -9 of lab start, then lab clean', () => {
  it('removes every qemu, namespace and state of that lab and nothing of another', async () => {
    const beside = await lab(['start', '--name', 'beside', '--nvm', '1']);
    expect(beside.exitCode, beside.all).toBe(0);

    const start = execa('node', [join(ROOT, 'bin/lab.js'), 'start', '--name', 'crashed', '--nvm', '2'], {
      env: labEnv,
      reject: false,
    });
    // Half-way: both QEMUs are spawned (recorded), the VMs are still booting.
    const deadline = Date.now() + 120_000;
    while (recordedPids('crashed').length < 2 && Date.now() < deadline) await sleep(100);
    expect(recordedPids('crashed')).toHaveLength(2);
    start.kill('SIGKILL');
    await start;
    expect(qemuProcesses(labDirOf('crashed')).length).toBeGreaterThan(0); // orphans exist before clean
    expect(netnsList()).toContain('lab-crashed');

    const clean = await lab(['clean', '--name', 'crashed']);
    expect(clean.exitCode, clean.all).toBe(0);
    expect(qemuProcesses(labDirOf('crashed'))).toEqual([]);
    expect(netnsList()).not.toContain('lab-crashed');
    expect(existsSync(labDirOf('crashed'))).toBe(false);

    // The other lab did not notice.
    expect(qemuProcesses(labDirOf('beside'))).toHaveLength(1);
    const ssh = await lab(['ssh', '--name', 'beside', 'vm-001', 'hostname']);
    expect(ssh.stdout.trim()).toBe('vm-001');

    // The serial console: attach, run a command, leave with Ctrl-].
    const consoleRun = execa('node', [join(ROOT, 'bin/lab.js'), 'console', '--name', 'beside', 'vm-001'], {
      env: labEnv,
      reject: false,
      timeout: 30_000,
    });
    await sleep(1500);
    consoleRun.stdin?.write('echo console-$((6*7))\n');
    await sleep(2500);
    consoleRun.stdin?.write('\x1d');
    const attached = await consoleRun;
    expect(attached.exitCode, attached.stderr).toBe(0);
    expect(attached.stdout).toContain('console-42');
    expect(attached.stderr).toContain('detached');

    // A VM whose QEMU dies shows up in lab status.
    const [pid] = qemuProcesses(labDirOf('beside'));
    process.kill(pid as number, 'SIGKILL');
    await sleep(500);
    const status = await lab(['status', '--name', 'beside']);
    expect(status.stdout).toMatch(/^vm-001 {2}NOT RUNNING/m);

    const stop = await lab(['stop', '--name', 'beside']);
    expect(stop.exitCode, stop.all).toBe(0);
    expect(netnsList()).not.toContain('lab-beside');
  });
});
