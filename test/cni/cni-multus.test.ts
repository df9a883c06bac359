// Issue 3 end to end: real multus, real CNI plugins, in real VMs; every assertion lives in
// scenarios/cni-multus.ts. Here: it passes, the report carries the ADD timings, and nothing
// of the lab is left on the host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lab, labDirOf, netnsList, qemuProcesses, RESULTS } from '../vm/helpers.js';

describe('lab test cni-multus', () => {
  it('passes every step, reports the multus ADD time, and leaves nothing behind', async () => {
    const results = join(RESULTS, 'cni-multus');
    const run = await lab(['test', 'cni-multus', '--name', 'cni-test', '--results', results]);
    expect(run.all, run.all).toMatch(/^8 passed, 0 failed$/m);
    expect(run.exitCode).toBe(0);

    const junit = readFileSync(join(results, 'junit-cni-multus.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(8);
    expect(junit).not.toContain('<failure');
    expect(junit).toMatch(/multus ADD with 4 delegates took \d+\.\d+ s/);

    expect(netnsList()).not.toContain('lab-cni-test');
    expect(qemuProcesses(labDirOf('cni-test'))).toEqual([]);
    expect(existsSync(labDirOf('cni-test'))).toBe(false);
  });
});
