// Ctrl-C during `lab start` (and a lab test's own lab): what the start made so far goes, as a
// failed start's does, and lab exits 130; another lab of the same name is never touched.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labDirOf, netnsList, qemuProcesses } from './helpers.js';

const NAME = 'intr';

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
});

/** Resolves once the lab's state records a running QEMU: the start is under way on the host. */
async function vmsStarted(name: string, timeoutMs = 300_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    try {
      const state = JSON.parse(readFileSync(join(labDirOf(name), 'state.json'), 'utf8'));
      if (state.vms?.length > 0 && qemuProcesses(labDirOf(name)).length > 0) return;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`lab ${name}: no VM started within ${timeoutMs / 1000} s`);
}

describe('an interrupted lab start', () => {
  it('removes the VMs, namespace and directory it made, and exits 130', async () => {
    const start = lab(['start', 'multinet', '--name', NAME, '--no-snapshot']);
    await vmsStarted(NAME);
    start.kill('SIGINT');
    const result = await start;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.all).toMatch(/SIGINT: removing lab "intr"/);
    expect(qemuProcesses(labDirOf(NAME))).toEqual([]);
    expect(netnsList()).not.toContain(`lab-${NAME}`);
    expect(existsSync(labDirOf(NAME))).toBe(false);
    // Nor its lock: the process exits without unwinding, so it releases the lock itself.
    expect(existsSync(`${labDirOf(NAME)}.lock`)).toBe(false);
    expect(existsSync(`${labDirOf(NAME)}.lock-owner`)).toBe(false);
  });

  it('leaves a running lab of the same name alone when the second start is interrupted', async () => {
    const first = await lab(['start', 'multinet', '--name', NAME, '--no-snapshot']);
    expect(first.exitCode, first.all).toBe(0);
    const second = lab(['start', 'multinet', '--name', NAME, '--no-snapshot']);
    second.kill('SIGINT');
    await second;
    expect(qemuProcesses(labDirOf(NAME)).length).toBe(2);
    expect(netnsList()).toContain(`lab-${NAME}`);
    const stop = await lab(['stop', '--name', NAME]);
    expect(stop.exitCode, stop.all).toBe(0);
  });
});
