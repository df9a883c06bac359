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
