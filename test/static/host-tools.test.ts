// Every host program that lab, its tests, its benches and the doc-tested tutorial start must come
// from a package setup.sh installs or from the base system. A fresh machine once failed the unit
// tier on `spawn cpio ENOENT` because setup.sh did not install cpio and nothing checked it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_COMMANDS, HOST_TOOLS, UNPACKED_BY_TESTS } from '../../lab/doctor/host-tools.js';
import { PROJECT_ROOT } from '../../lab/util/paths.js';

const CODE_DIRS = ['lab', 'test', 'bench', 'scenarios', 'overlays', 'bin'];
const DOC_TESTED = ['docs/tutorial.md'];

function codeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(PROJECT_ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // An overlay's root/ tree runs inside the guest, not on the host.
      if (entry.name !== 'node_modules' && entry.name !== 'root') out.push(...codeFiles(path));
    } else if (/\.(ts|js)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The program a command line starts: the first word that is not a variable assignment. */
function programOf(commandLine: string): string | undefined {
  return commandLine
    .trim()
    .split(/\s+/)
    .find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w))
    ?.replace(/[;)]+$/, '');
}

/** [file, program] for every literal program name the code hands to a spawning function. */
function spawnedPrograms(file: string, text: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const call =
    /\b(?:run|succeeds|execa|execaSync|spawn|spawnSync|execFile|execFileSync)\(\s*\[?\s*(['"`])([^'"`]+)\1/g;
  for (const m of text.matchAll(call)) {
    const program = programOf(m[2] ?? '');
    if (program) found.push([file, program]);
  }
  for (const m of text.matchAll(/command -v "?([A-Za-z0-9._-]+)/g)) found.push([file, m[1] as string]);
  return found;
}

/** Programs the doc-test runs: each command word of a `$ ` line (after |, ;, &&, $( too). */
function docPrograms(file: string, text: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('$ ')) continue;
    for (const part of line.slice(2).split(/\|\||&&|\||;|\$\(/)) {
      const program = programOf(part.replace(/^[\s(]+/, ''));
      if (program && /^[a-z][\w.-]*$/.test(program)) found.push([file, program]);
    }
  }
  return found;
}

/** The packages of setup.sh's `packages=(...)` line, plus golang-go it installs when Go is missing. */
function setupPackages(): Set<string> {
  const text = readFileSync(join(PROJECT_ROOT, 'setup.sh'), 'utf8');
  const line = text.match(/^packages=\(([^)]*)\)/m);
  const packages = new Set((line?.[1] ?? '').split(/\s+/).filter(Boolean));
  if (/apt-get install[^\n]*golang-go/.test(text)) packages.add('golang-go');
  return packages;
}

function dpkgField(pkg: string, field: string): string {
  const r = spawnSync('dpkg-query', ['-W', `-f=\${${field}}`, pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

/** The packages that own a program on PATH (merged /usr: dpkg may know it under /bin or /sbin). */
function owningPackages(command: string): string[] | undefined {
  const which = spawnSync('/bin/sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf8' });
  if (which.status !== 0) return undefined;
  const path = which.stdout.trim();
  const candidates = new Set([path, realpathSync(path)]);
  for (const p of [...candidates]) {
    const name = p.split('/').pop();
    for (const dir of ['/bin', '/sbin', '/usr/bin', '/usr/sbin']) candidates.add(`${dir}/${name}`);
  }
  const owners = new Set<string>();
  for (const p of candidates) {
    const r = spawnSync('dpkg', ['-S', p], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    for (const line of r.stdout.split('\n')) {
      const pkgs = line.split(':')[0];
      for (const pkg of pkgs?.split(',') ?? []) if (pkg.trim()) owners.add(pkg.trim());
    }
  }
  return [...owners];
}

describe('host programs', () => {
  const declared = new Set([
    ...HOST_TOOLS.map((t) => t.command),
    ...Object.keys(BASE_COMMANDS),
    ...Object.keys(UNPACKED_BY_TESTS),
  ]);
  const uses = [
    ...CODE_DIRS.flatMap((d) =>
      codeFiles(d).flatMap((f) => spawnedPrograms(f, readFileSync(join(PROJECT_ROOT, f), 'utf8'))),
    ),
    ...DOC_TESTED.flatMap((f) => docPrograms(f, readFileSync(join(PROJECT_ROOT, f), 'utf8'))),
  ];

  it('finds the programs the code starts (the scan itself works)', () => {
    const programs = new Set(uses.map(([, p]) => p));
    for (const known of ['qemu-system-x86_64', 'mke2fs', 'cpio', 'chromium', 'openssl', 'npx'])
      expect(programs, `the scan no longer finds ${known}`).toContain(known);
  });

  it('every program the code or the tutorial starts is declared with its package', () => {
    const undeclared = uses
      .filter(([, program]) => !declared.has(program) && !program.includes('/') && !program.includes('$'))
      .map(
        ([file, program]) =>
          `${relative(PROJECT_ROOT, join(PROJECT_ROOT, file))} runs ${program}: declare it in lab/doctor/host-tools.ts with its Debian package (dpkg -S "$(command -v ${program})") and add that package to setup.sh`,
      );
    expect([...new Set(undeclared)]).toEqual([]);
  });

  it("setup.sh installs every declared tool's package", () => {
    const installed = setupPackages();
    const missing = HOST_TOOLS.flatMap((t) =>
      [t.apt, ...(t.with ?? [])]
        .filter((pkg) => !installed.has(pkg))
        .map((pkg) => `${t.command} (${t.why}) needs package ${pkg}, which setup.sh does not install`),
    );
    expect(missing).toEqual([]);
  });

  it('setup.sh installs nothing that no declared tool needs', () => {
    const needed = new Set([...HOST_TOOLS.flatMap((t) => [t.apt, ...(t.with ?? [])]), 'golang-go']);
    expect([...setupPackages()].filter((p) => !needed.has(p))).toEqual([]);
  });

  it('each declared tool comes from the package it names', () => {
    const wrong: string[] = [];
    for (const tool of HOST_TOOLS) {
      const owners = owningPackages(tool.command);
      // Not installed (the doctor and the tiers say so), or not from a package (Go in /usr/local).
      if (owners === undefined || owners.length === 0) continue;
      if (!owners.includes(tool.apt))
        wrong.push(`${tool.command}: declared ${tool.apt}, dpkg says ${owners.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the base programs come from essential or required packages', () => {
    const notBase: string[] = [];
    for (const [command, pkg] of Object.entries(BASE_COMMANDS)) {
      if (/\s/.test(pkg)) continue; // a prerequisite (node) or installed by setup.sh's Go check
      const essential = dpkgField(pkg, 'Essential') === 'yes';
      const required = dpkgField(pkg, 'Priority') === 'required';
      if (!essential && !required)
        notBase.push(`${command}: package ${pkg} is neither essential nor required`);
    }
    expect(notBase).toEqual([]);
  });
});

describe('spawnedPrograms', () => {
  it('reads program names across lines and skips variable assignments', () => {
    const text =
      "await run(\n  [\n    'mke2fs',\n '-q'])\nexeca('x=1; sleep 3')\nsh -c 'command -v dropbear'";
    expect(spawnedPrograms('f.ts', text).map(([, p]) => p)).toEqual(['mke2fs', 'sleep', 'dropbear']);
  });
});
