// The doc-tested pages, run as written: every `$` command of their console blocks, in one shell
// per page, must exit 0 and print the lines the page shows. docs/tutorial.md ends with
// `lab test multus` and `lab test k8s` on its Kubernetes lab, docs/network-addons.md runs
// `lab test flannel` on a lab whose pod network is flannel's manifest and archived image fed
// through --addon/--image: this tier runs those scenarios end to end.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConsoleBlocks, unmatchedLines } from '../../lab/doctest/doctest.js';
import { DocShell } from '../../lab/doctest/shell.js';
import { lab, labEnv, netnsList, qemuProcesses, ROOT } from '../vm/helpers.js';

const PAGES = [
  { page: 'docs/tutorial.md', lab: 'tutorial' },
  { page: 'docs/network-addons.md', lab: 'addons' },
];
// The first `lab start multus` on a machine may build Kubernetes from the Go module proxy.
const COMMAND_TIMEOUT_MS = 45 * 60_000;

const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

afterAll(async () => {
  await lab(['clean', '--all']);
});

describe.each(PAGES)('$page', ({ page: PAGE, lab: LAB }) => {
  it('every command works and prints what the page shows', async () => {
    const commands = parseConsoleBlocks(readFileSync(join(ROOT, PAGE), 'utf8'));
    expect(commands.length).toBeGreaterThan(3);
    const shell = new DocShell({ cwd: ROOT, env: { ...labEnv, LAB_NAME: LAB, LAB_ACCEL: 'auto' } });
    try {
      for (const { line, command, expected } of commands) {
        process.stdout.write(`\n${PAGE}:${line}: $ ${command}\n`);
        const { code, output } = await shell.run(command, COMMAND_TIMEOUT_MS, (text) =>
          process.stdout.write(text),
        );
        const where = `${PAGE}:${line}: $ ${command}`;
        expect(code, `${where}\nexited ${code}; its output ended:\n${tail(output)}`).toBe(0);
        expect(
          unmatchedLines(expected, output),
          `${where}\nthe page shows lines its output lacks; the output was:\n${tail(output)}`,
        ).toEqual([]);
      }
    } finally {
      shell.close();
    }
    // The page ends with lab stop: nothing of the lab is left on the host.
    expect(netnsList()).not.toContain(`lab-${LAB}`);
    expect(qemuProcesses(`/labs/${LAB}/`)).toEqual([]);
  });
});
