// The foundation, end to end with real QEMU VMs: the multinet scenario passes, reports are
// written, and nothing of the lab is left on the host afterwards.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lab, labDirOf, netnsList, qemuProcesses, RESULTS } from './helpers.js';

describe('lab test multinet', () => {
  it('passes, writes JUnit, and leaves nothing behind', async () => {
    const results = join(RESULTS, 'single');
    const run = await lab(['test', 'multinet', '--name', 'vm-single', '--results', results]);
    expect(run.all, run.all).toMatch(/^5 passed, 0 failed$/m);
    expect(run.exitCode).toBe(0);
    expect(run.all).toMatch(/accelerator: (kvm|tcg)/);

    const junit = readFileSync(join(results, 'junit-multinet.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(5);
    expect(junit).not.toContain('<failure');
    expect(junit).toMatch(/<property name="accel" value="(kvm|tcg)"/);

    expect(netnsList()).not.toContain('lab-vm-single');
    expect(qemuProcesses(labDirOf('vm-single'))).toEqual([]);
    expect(existsSync(labDirOf('vm-single'))).toBe(false);
  });
});

describe('lab test multinet on a broken lab', () => {
  it('fails hard on a mismatch or a dead VM, names it, saves every serial log, and exits non-zero', async () => {
    const started = await lab(['start', '--name', 'broken', '--nvm', '2', '--nets-vm', '0,1,3,4,5']);
    expect(started.exitCode, started.all).toBe(0);
    try {
      const removed = await lab([
        'ssh',
        '--name',
        'broken',
        'vm-002',
        'ip',
        'addr',
        'del',
        '192.168.1.2/24',
        'dev',
        'eth1',
      ]);
      expect(removed.exitCode, removed.all).toBe(0);

      const results = join(RESULTS, 'broken');
      const run = await lab(['test', 'multinet', '--no-start', '--name', 'broken', '--results', results]);
      expect(run.exitCode).toBe(1);
      expect(run.all).toMatch(/^2 passed, 1 failed, 2 skipped$/m);
      expect(run.all).toMatch(/global addresses of vm-002 eth1 \(net 1\)/);

      const junit = readFileSync(join(results, 'junit-multinet.xml'), 'utf8');
      expect(junit.match(/<failure /g)).toHaveLength(1);
      for (const vm of ['vm-001', 'vm-002']) {
        expect(readFileSync(join(results, 'logs/multinet', `${vm}.console.log`), 'utf8')).toContain(
          'lab-init',
        );
      }
      // --no-start: the lab is the user's, so it stays up.
      expect(netnsList()).toContain('lab-broken');

      // A node VM dies while the lab runs: status shows it, the scenario fails naming it.
      const [victim] = qemuProcesses(join(labDirOf('broken'), 'vms', 'vm-002'));
      expect(victim).toBeDefined();
      process.kill(victim ?? 0, 'SIGKILL');
      const status = await lab(['status', '--name', 'broken']);
      expect(status.all).toMatch(/^vm-002 {2}NOT RUNNING/m);
      expect(status.all).toMatch(/^vm-001 {2}ready/m);
      const killed = join(RESULTS, 'killed');
      const afterKill = await lab([
        'test',
        'multinet',
        '--no-start',
        '--name',
        'broken',
        '--results',
        killed,
      ]);
      expect(afterKill.exitCode).toBe(1);
      expect(afterKill.all).toMatch(/vm-002 is not running \(its QEMU exited\)/);
      const junitAfterKill = readFileSync(join(killed, 'junit-multinet.xml'), 'utf8');
      expect(junitAfterKill).toMatch(/vm-002 is not running[^<]*last lines of the serial console/);
      expect(readFileSync(join(killed, 'logs/multinet/vm-002.console.log'), 'utf8')).toContain('lab-init');
    } finally {
      await lab(['stop', '--name', 'broken']);
    }
    expect(netnsList()).not.toContain('lab-broken');
  });
});
