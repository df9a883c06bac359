// The CLI's contract with users on bad input: exit code 2 and one line naming the field,
// never a stack trace; and doctor names a missing tool with its apt package.
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lab/cli/main.js';
import { HOST_TOOLS } from '../../lab/doctor/checks.js';
import { testTempDir } from '../support/temp-dir.js';

async function runCli(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...parts) => {
    stdout += `${parts.join(' ')}\n`;
  });
  try {
    process.exitCode = undefined;
    const code = await main(['node', 'lab', ...args]);
    return { code, stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
    log.mockRestore();
    process.exitCode = undefined;
  }
}

function topologyFile(text: string): string {
  const file = join(testTempDir('lab-topo-'), 'topology.yaml');
  writeFileSync(file, text);
  return file;
}

describe('bad input: exit 2, one line naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown field', 'nvm: 2\nnetz: [0]\n', /topology\.yaml:2:1: netz: unknown field "netz"/],
    ['duplicate net', 'netsVm: [0, 1, 1]\n', /netsVm\[2\]: net 1 appears twice/],
    ['nvm 0', 'nvm: 0\n', /nvm: Too small: expected number to be >=1/],
    ['mem too small', 'mem: 100\n', /mem: Too small: expected number to be >=128/],
  ];
  for (const [name, text, expected] of cases) {
    it(`topology file: ${name}`, async () => {
      const { code, stderr } = await runCli(['env', '--topology', topologyFile(text)]);
      expect(code).toBe(2);
      expect(stderr).toMatch(expected);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack
    });
  }

  it('flags: --nvm 0 and --nets-vm with a duplicate', async () => {
    const nvm = await runCli(['env', '--nvm', '0']);
    expect(nvm.code).toBe(2);
    expect(nvm.stderr.trim()).toBe('lab: configuration: nvm: Too small: expected number to be >=1');
    const nets = await runCli(['env', '--nets-vm', '0,1,0']);
    expect(nets.code).toBe(2);
    expect(nets.stderr.trim()).toBe('lab: configuration: netsVm[2]: net 0 appears twice');
    const word = await runCli(['env', '--mem', 'lots']);
    expect(word.code).toBe(2);
    expect(word.stderr.trim()).toBe('lab: --mem: "lots" is not a whole number');
  });

  it('an unknown overlay names the known ones', async () => {
    const { code, stderr } = await runCli(['env', 'nosuch']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown overlay "nosuch"/);
    expect(stderr).toMatch(/known overlays: .*multinet/);
  });

  it('the merged config shows every layer applied', async () => {
    const { code, stdout } = await runCli([
      'env',
      '--nvm',
      '3',
      '--topology',
      topologyFile('mem: 300\nnvm: 2\n'),
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ nvm: 3, mem: 300, overlays: ['multinet'] });
  });

  it('an unknown command is a usage error', async () => {
    const { code } = await runCli(['frobnicate']);
    expect(code).toBe(2);
  });

  it('--src: a checkout the lab builds nothing from, and with a suite or --no-start, before anything starts', async () => {
    const empty = testTempDir('lab-cli-src-');
    const nothing = await runCli(['test', 'multinet', '--src', empty]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain(`--src ${empty}: no go.mod there`);
    expect(nothing.stderr).toContain("none (this lab's overlays build nothing from a Go checkout)");
    const suite = await runCli(['test', '--suite', 'cni', '--src', empty]);
    expect([suite.code, suite.stderr]).toEqual([
      2,
      expect.stringContaining('give one scenario instead of --suite'),
    ]);
    const running = await runCli(['test', 'multus', '--no-start', '--src', empty]);
    expect([running.code, running.stderr]).toEqual([2, expect.stringContaining('lab deploy --src')]);
    const start = await runCli(['start', 'cni', '--name', 'srccheck', '--src', empty]);
    expect([start.code, start.stderr]).toEqual([
      2,
      expect.stringContaining(`--src ${empty}: no go.mod there`),
    ]);
  });
});

describe('lab doctor', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('names a missing tool and its apt package', async () => {
    const bin = testTempDir('lab-path-');
    for (const tool of HOST_TOOLS) {
      if (tool.command === 'mksquashfs') continue;
      const found = (savedPath ?? '').split(':').map((d) => join(d, tool.command));
      const real = found.find((p) => existsSync(p));
      if (real) symlinkSync(real, join(bin, tool.command));
    }
    process.env.PATH = bin;
    const { code, stdout } = await runCli(['doctor']);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /MISSING\s+mksquashfs \(read-only image layers\)\n\s+fix: apt-get install squashfs-tools/,
    );
  });
});
