// Runs the real `lab` command (the compiled CLI, as a user would) with its own state dir,
// and checks what is left on the host.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const LAB_STATE = mkdtempSync(join(tmpdir(), 'lab-vm-test-'));
// Registered first, so it runs after the test file's own clean-up: whatever lab is left goes,
// then the state dir with the snapshots the file's labs saved (a Kubernetes one is ~1 GiB).
afterAll(async () => {
  await lab(['clean', '--all']);
  rmSync(LAB_STATE, { recursive: true, force: true });
}, 300_000);
export const RESULTS = join(ROOT, 'results', 'vm-tests');

export const labEnv = { ...process.env, LAB_STATE, NO_COLOR: '1' };

export function lab(
  args: string[],
  options: { timeoutMs?: number } = {},
): ResultPromise<{ reject: false; all: true }> {
  return execa('node', [join(ROOT, 'bin/lab.js'), ...args], {
    env: labEnv,
    reject: false,
    all: true,
    timeout: options.timeoutMs ?? 600_000,
  }) as ResultPromise<{ reject: false; all: true }>;
}

export function netnsList(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/** QEMU processes whose command line mentions `marker` (a lab's state dir). */
export function qemuProcesses(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.startsWith('qemu-system') && cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function labDirOf(name: string): string {
  return join(LAB_STATE, 'labs', name);
}
