import { describe, expect, it } from 'vitest';
import { parseConsoleBlocks, unmatchedLines } from '../../lab/doctest/doctest.js';
import { DocShell } from '../../lab/doctest/shell.js';

const page = `# Title

\`\`\`sh
./setup.sh
\`\`\`

\`\`\`console
$ npx lab start cni
✓ boot 2 VM(s) (… s)

$ echo a \\
  b
a b
\`\`\`

text $ not a command

\`\`\`console
$ true
\`\`\`

<!-- doctest: nightly -->
\`\`\`console
$ npx lab test multus --no-start
11 passed, 0 failed
\`\`\`

<!-- doctest: nightly -->

\`\`\`console
$ false
\`\`\`
`;

describe('parseConsoleBlocks', () => {
  it('takes "$ " lines of console blocks with the output shown after each, not sh blocks', () => {
    expect(parseConsoleBlocks(page)).toEqual([
      { line: 8, command: 'npx lab start cni', expected: ['✓ boot 2 VM(s) (… s)'], nightly: false },
      { line: 11, command: 'echo a \\\n  b', expected: ['a b'], nightly: false },
      { line: 19, command: 'true', expected: [], nightly: false },
      {
        line: 24,
        command: 'npx lab test multus --no-start',
        expected: ['11 passed, 0 failed'],
        nightly: true,
      },
      { line: 31, command: 'false', expected: [], nightly: true },
    ]);
  });

  it('refuses a nightly mark that is not followed by a console block', () => {
    expect(() =>
      parseConsoleBlocks('<!-- doctest: nightly -->\nSome text.\n```console\n$ true\n```\n'),
    ).toThrow('line 1: <!-- doctest: nightly --> must come right before a console block');
  });
});

describe('unmatchedLines', () => {
  const output =
    '12:00:01 image …\n12:00:09 ✓ boot 2 VM(s) (7.9 s)\nvm-001  ready\neth0     UP    10.0.1.2/24\n';

  it('finds shown lines in order, with … for any text and flexible spacing', () => {
    expect(unmatchedLines(['✓ boot 2 VM(s) (… s)', 'eth0 UP 10.0.1.…/24'], output)).toEqual([]);
  });

  it('ignores the time of day and the indentation of progress lines', () => {
    expect(
      unmatchedLines(['using TCG (-cpu …): …'], '12:00:00   using TCG (-cpu Nehalem): no KVM\n'),
    ).toEqual([]);
  });

  it('reports the first shown line that is missing and everything after it', () => {
    expect(unmatchedLines(['vm-001 ready', 'vm-002 ready', 'eth0 …'], output)).toEqual([
      'vm-002 ready',
      'eth0 …',
    ]);
  });

  it('respects the order and matches whole lines only', () => {
    expect(unmatchedLines(['eth0 …', 'vm-001 ready'], output)).toEqual(['vm-001 ready']);
    expect(unmatchedLines(['boot 2'], output)).toEqual(['boot 2']);
  });

  it('treats regex characters literally', () => {
    expect(unmatchedLines(['(7.9 s)'], 'x (7.9 s)')).toEqual(['(7.9 s)']);
    expect(unmatchedLines(['… (7.9 s)'], 'x (7.9 s)')).toEqual([]);
    expect(unmatchedLines(['… (7.9 s)'], 'x (7x9 s)')).toEqual(['… (7.9 s)']);
  });
});

describe('DocShell', () => {
  it('keeps variables between commands, returns output and exit codes, joins stderr', async () => {
    const shell = new DocShell({ cwd: '/tmp', env: { PATH: process.env.PATH } });
    try {
      expect(await shell.run('x=42; echo set', 5000)).toEqual({ code: 0, output: 'set\n' });
      expect(await shell.run('echo "x is $x"; echo oops >&2', 5000)).toEqual({
        code: 0,
        output: 'x is 42\noops\n',
      });
      expect((await shell.run('false', 5000)).code).toBe(1);
      expect(await shell.run('echo a \\\n  b', 5000)).toEqual({ code: 0, output: 'a b\n' });
      await expect(shell.run('sleep 3', 300)).rejects.toThrow(/no end within/);
    } finally {
      shell.close();
    }
  });
});
