// The doc-tested pages, run as written: every `$` command of their console blocks, in one shell
// per page, must exit 0 and print the lines the page shows. Per change (CI's k8s tier) the
// tutorial runs up to the end of its Kubernetes lab: a cni lab, a cold `lab start multus`, seed
// 000/004's pods by hand, `lab test k8s`, `lab stop`. Its blocks marked
// `<!-- doctest: nightly -->` (the multus scenario; section 3's second cold lab with flannel
// and thick multus) and the network-addons page (every block marked: a third cold lab) run with LAB_DOCTEST=all, as
// the nightly workflow does: each is 10-20 minutes under TCG, and with them CI went past its 90
// minutes when a change to the images made every lab boot cold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConsoleBlocks, unmatchedLines } from '../../lab/doctest/doctest.js';
import { DocShell } from '../../lab/doctest/shell.js';
import { lab, labEnv, netnsList, qemuProcesses, ROOT } from '../vm/helpers.js';

const EVERYTHING = process.env.LAB_DOCTEST === 'all';
const PAGES = [
  { page: 'docs/tutorial.md', lab: 'tutorial' },
  { page: 'docs/network-addons.md', lab: 'addons' },
].map((page) => ({ ...page, commands: parseConsoleBlocks(readFileSync(join(ROOT, page.page), 'utf8')) }));
// The first `lab start multus` on a machine may build Kubernetes from the Go module proxy.
const COMMAND_TIMEOUT_MS = 45 * 60_000;

const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

afterAll(async () => {
  await lab(['clean', '--all']);
});

describe.each(PAGES)('$page', ({ page: PAGE, lab: LAB, commands }) => {
  // A page whose every block is marked nightly is skipped as a whole in the per-change run.
  const nothingToRun = !EVERYTHING && commands.every((c) => c.nightly);
  it.skipIf(nothingToRun)('every command works and prints what the page shows', async () => {
    expect(commands.length).toBeGreaterThan(3);
    const shell = new DocShell({ cwd: ROOT, env: { ...labEnv, LAB_NAME: LAB, LAB_ACCEL: 'auto' } });
    try {
      for (const { line, command, expected, nightly: long } of commands) {
        if (long && !EVERYTHING) {
          process.stdout.write(
            `\n${PAGE}:${line}: skipped (nightly only; LAB_DOCTEST=all runs it): $ ${command}\n`,
          );
          continue;
        }
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
