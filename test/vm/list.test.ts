// lab list on real labs: a lab is `running` while every QEMU lives, `partly alive` once one is
// killed, `dead` once all are, and the list says how to clean it.
import { afterAll, describe, expect, it } from 'vitest';
import { lab, labDirOf, qemuProcesses } from './helpers.js';

const NAME = 'list-a';

afterAll(async () => {
  await lab(['clean', '--name', NAME]);
});

async function rowOf(
  name: string,
): Promise<{ condition: string; vms: string; hint: string; overlays: string[] }> {
  const list = await lab(['list', '--json']);
  expect(list.exitCode, list.all).toBe(0);
  const rows = JSON.parse(list.stdout) as Array<{
    name: string;
    condition: string;
    vms: string;
    hint: string;
    overlays: string[];
  }>;
  const row = rows.find((r) => r.name === name);
  expect(row, list.stdout).toBeDefined();
  return row as { condition: string; vms: string; hint: string; overlays: string[] };
}

describe('lab list', () => {
  it('shows a lab running, then partly alive, then dead, as its QEMUs die', async () => {
    const start = await lab(['start', 'multinet', '--name', NAME, '--no-snapshot']);
    expect(start.exitCode, start.all).toBe(0);
    expect(await rowOf(NAME)).toMatchObject({
      condition: 'running',
      vms: '2/2',
      hint: '',
      overlays: expect.arrayContaining(['multinet']),
    });
    const table = await lab(['list']);
    expect(table.stdout).toMatch(new RegExp(`^${NAME}\\s+running\\s+2/2\\s`, 'm'));

    const [first, ...rest] = qemuProcesses(labDirOf(NAME));
    process.kill(first ?? 0, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await rowOf(NAME)).toMatchObject({
      condition: 'partly alive',
      vms: '1/2',
      hint: `lab clean --name ${NAME}`,
    });

    for (const pid of rest) process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await rowOf(NAME)).toMatchObject({ condition: 'dead', vms: '0/2' });
    expect((await lab(['list'])).stdout).toMatch(
      new RegExp(`^${NAME}\\s+dead\\s+0/2\\s.*lab clean --name ${NAME}$`, 'm'),
    );

    expect((await lab(['clean', '--name', NAME])).exitCode).toBe(0);
    expect((await lab(['list'])).stdout).not.toMatch(new RegExp(`^${NAME}\\s`, 'm'));
  });
});
