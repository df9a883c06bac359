// The save's exec: command as QEMU runs it: QEMU writes the stream into a pipe, closes it and,
// unless its child has exited by then, kills it at once (SIGTERM, SIGKILL 10 ms later). zstd
// is still writing then (the CI saw a state file grow after the save had recorded its size):
// the file must come out whole, and appear under its name only once zstd is done.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveCommand } from '../../lab/vm/migration.js';
import { requireHostTool } from '../support/host-tool.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-migration-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => requireHostTool('zstd'));

/** QEMU's side: the child reads a pipe that gets `input`, then is killed as QEMU kills it. */
function runAsQemu(command: string, input: string): void {
  const script = `
    set -e
    mkfifo "$DIR/pipe"
    sh -c "$COMMAND" < "$DIR/pipe" & child=$!
    exec 3> "$DIR/pipe"
    cat "$INPUT" >&3
    exec 3>&-
    kill -TERM $child 2>/dev/null || true
    sleep 0.01
    kill -KILL $child 2>/dev/null || true
    rm "$DIR/pipe"`;
  const out = spawnSync('bash', ['-c', script], {
    env: { ...process.env, DIR: dir, COMMAND: command, INPUT: input },
    encoding: 'utf8',
  });
  expect(out.status, out.stderr).toBe(0);
}

async function waitFor(path: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

it('writes the whole stream although QEMU kills its child right after closing the pipe', async () => {
  const input = join(dir, 'ram');
  // Random data: zstd cannot shrink it, so it still has megabytes to write after the close.
  const data = randomBytes(48 * 1024 * 1024);
  writeFileSync(input, data);
  const file = join(dir, 'state.zst');
  runAsQemu(saveCommand(file), input);
  expect(await waitFor(file, 30_000)).toBe(true);
  expect(existsSync(`${file}.part`)).toBe(false);
  const out = spawnSync('zstd', ['-q', '-dc', file], { maxBuffer: 64 * 1024 * 1024 });
  expect(out.status).toBe(0);
  expect(out.stdout.length).toBe(data.length);
  expect(Buffer.compare(out.stdout, readFileSync(input))).toBe(0);
});

it('leaves nothing under the final name when zstd fails', async () => {
  const input = join(dir, 'small');
  writeFileSync(input, 'some state');
  const file = join(dir, 'missing-dir', 'state.zst');
  runAsQemu(saveCommand(file), input);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(existsSync(file)).toBe(false);
});
