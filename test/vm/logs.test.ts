// lab logs on a real lab: consoles, events and each VM's unit logs land in one folder; a VM
// whose QEMU died is noted, not fatal; an output folder that holds something is refused.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labDirOf, qemuProcesses } from './helpers.js';

const NAME = 'logs-a';
const scratch = mkdtempSync(join(tmpdir(), 'lab-logs-test-'));

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('lab logs', () => {
  it("collects every VM's console, events and unit logs; notes a dead VM; refuses a used folder", async () => {
    const start = await lab(['start', 'multinet', '--name', NAME, '--no-snapshot']);
    expect(start.exitCode, start.all).toBe(0);

    const out = join(scratch, 'one');
    const logs = await lab(['logs', '--name', NAME, '-o', out]);
    expect(logs.exitCode, logs.all).toBe(0);
    for (const vm of ['vm-001', 'vm-002']) {
      expect(readFileSync(join(out, `${vm}.console.log`), 'utf8')).toContain('lab-init');
      expect(readFileSync(join(out, `${vm}.events.log`), 'utf8')).toMatch(/"event":"boot","state":"ready"/);
      const unitLogs = readdirSync(join(out, vm, 'var/log/lab'));
      expect(unitLogs.length, `${vm}: ${unitLogs}`).toBeGreaterThan(0);
    }
    const index = readFileSync(join(out, 'index.txt'), 'utf8');
    expect(index).toMatch(/^vm-001: guest logs in vm-001\//m);
    expect(index).toMatch(/^cluster: not a Kubernetes lab/m);

    const again = await lab(['logs', '--name', NAME, '-o', out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain(`--output ${out} is not empty`);

    const [victim] = qemuProcesses(labDirOf(NAME));
    process.kill(victim ?? 0, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const two = join(scratch, 'two');
    const partly = await lab(['logs', '--name', NAME, '-o', two]);
    expect(partly.exitCode, partly.all).toBe(0);
    const lines = readFileSync(join(two, 'index.txt'), 'utf8');
    expect(lines.match(/: guest logs not fetched: /g) ?? []).toHaveLength(1);
    expect(lines.match(/: guest logs in vm-00\d\//g) ?? []).toHaveLength(1);
    expect(existsSync(join(two, 'vm-001.console.log')) && existsSync(join(two, 'vm-002.console.log'))).toBe(
      true,
    );
  });
});
