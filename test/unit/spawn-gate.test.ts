// The interrupt's guard against a leaked VM: this process remembers every daemon it started,
// and once an interrupt closes the gate it starts no more.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { refuseSpawns, spawnDetached, startedHere, waitGone } from '../../lab/vm/process.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('spawnDetached', () => {
  it('remembers what it started, found by the directory its command line names', async () => {
    const mine = join(dir, 'a');
    const pid = spawnDetached(['sh', '-c', 'sleep 30', `${mine}/x`], join(dir, 'a.log'));
    try {
      // Until the child has exec'd, its command line is still ours.
      await expect.poll(() => startedHere(mine), { timeout: 10_000 }).toEqual([pid]);
      expect(await startedHere(join(dir, 'b'))).toEqual([]);
    } finally {
      process.kill(-pid, 'SIGKILL'); // its own process group: sh and its sleep
    }
    expect(await waitGone(pid, 1000)).toBe(true);
    expect(await startedHere(mine)).toEqual([]);
  });

  it('starts nothing once the gate is closed, and says why', () => {
    refuseSpawns('lab is exiting on SIGINT');
    expect(() => spawnDetached(['sleep', '30', `${dir}/c`], join(dir, 'c.log'))).toThrow(
      'not starting sleep: lab is exiting on SIGINT',
    );
  });
});
