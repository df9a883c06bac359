// The state file is read through a schema: a file another version of lab wrote (or a broken
// one) is an error that names the file, the field and what to do, never "no such lab"; and
// one such lab does not hide the others from lab list.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lab/cli/main.js';
import { readState, UnreadableStateError } from '../../lab/lifecycle/state.js';
import { labStateFixture } from '../support/lab-state.js';
import { testTempDir } from '../support/temp-dir.js';

const savedState = process.env.LAB_STATE;
let root = '';
beforeEach(() => {
  root = testTempDir('lab-state-file-');
  process.env.LAB_STATE = root;
});
afterEach(() => {
  process.env.LAB_STATE = savedState;
});

function plant(name: string, content: unknown): string {
  const dir = join(root, 'labs', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'state.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return join(dir, 'state.json');
}

const valid = (name: string) => labStateFixture(name, join(root, 'labs', name));

describe('readState', () => {
  it('no state file: no lab', async () => {
    expect(await readState('none')).toBeUndefined();
  });

  it('a valid file reads back', async () => {
    plant('good', valid('good'));
    expect((await readState('good'))?.name).toBe('good');
  });

  it('another version: says which, and what to do', async () => {
    const file = plant('old', { ...valid('old'), version: 0 });
    const err = await readState('old').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadableStateError);
    expect((err as Error).message).toBe(
      `${file} is not a state file this lab can read: state version 0; this lab reads version 1`,
    );
    expect((err as UnreadableStateError).hint).toContain(`remove ${join(root, 'labs', 'old')}`);
  });

  it('a field lab stop relies on is wrong: names it', async () => {
    plant('bad', { ...valid('bad'), vms: [{ name: 'vm-001' }] });
    await expect(readState('bad')).rejects.toThrow(/: vms\[0\]\.dir: /);
  });

  it('not JSON: says so', async () => {
    plant('junk', '{"version": 1,');
    await expect(readState('junk')).rejects.toThrow(/is not a state file this lab can read: not JSON/);
  });
});

describe('lab list with an unreadable lab', () => {
  it('lists the others and names the unreadable one on stderr', async () => {
    plant('good', valid('good'));
    plant('old', { ...valid('old'), version: 0 });
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void out.push(line));
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['node', 'lab', 'list'])).toBe(0);
    } finally {
      log.mockRestore();
      write.mockRestore();
    }
    expect(out.join('\n')).toMatch(/^good\s/m);
    expect(out.join('\n')).not.toMatch(/^old\s/m);
    expect(err.join('')).toContain('state version 0; this lab reads version 1');
  });
});

describe('lab clean with an unreadable lab', () => {
  it('exits 1 naming the file, removes nothing of it, and does not call it clean', async () => {
    const file = plant('old', { ...valid('old'), version: 0 });
    const err: string[] = [];
    const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['node', 'lab', 'clean', '--name', 'old']);
    } finally {
      write.mockRestore();
      process.exitCode = undefined;
    }
    expect(code).toBe(1);
    expect(err.join('')).toContain(`${file} is not a state file this lab can read`);
    expect(err.join('')).not.toContain('nothing to clean');
    expect(existsSync(file)).toBe(true);
  });
});
