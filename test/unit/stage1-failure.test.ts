// A VM whose stage 1 gave up must fail the start at once, not after the boot timeout.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../lab/util/errors.js';
import { waitForBoot } from '../../lab/vm/events.js';
import { stage1Failure } from '../../lab/vm/machine.js';
import { vmPaths } from '../../lab/vm/qemu-args.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-stage1-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('stage1Failure', () => {
  it('is undefined while the console shows no failure', async () => {
    expect(await stage1Failure(dir)).toBeUndefined();
    await writeFile(vmPaths(dir).consoleLog, 'Linux version 6.12\nRun /init as init process\n');
    expect(await stage1Failure(dir)).toBeUndefined();
  });

  it("gives stage 1's own reason once it printed one", async () => {
    await writeFile(vmPaths(dir).consoleLog, 'boot…\nLAB-STAGE1-FAILED: no disk with serial lab0\n~ # ');
    expect(await stage1Failure(dir)).toMatch(/stage 1 of the boot failed: no disk with serial lab0/);
  });
});

describe('waitForBoot', () => {
  it('gives up as soon as the boot is doomed, long before its timeout', async () => {
    const started = Date.now();
    const err = await waitForBoot(join(dir, 'events'), {
      vm: 'vm-001',
      timeoutMs: 60_000,
      alive: () => true,
      doomed: async () => 'stage 1 of the boot failed: no disk',
      describeFailure: async () => 'console tail',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as Error).message).toMatch(/vm-001: stage 1 of the boot failed: no disk\nconsole tail/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
