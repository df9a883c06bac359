// What a connection into a lab's namespace costs (issue: one forward): through the lab's relay
// (one long-lived process, lab/hostnet/relay-daemon.mjs) against a process started per
// connection with `ip netns exec` (what lab did before: every SSH session and every API
// connection from the host paid it). Needs root; makes a throwaway namespace with an echo
// server in it and removes it again.
//   npx tsx bench/relay.ts [connections]      (default 30 each way)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { relayConnect, relaySocket, startRelay, stopForwards } from '../lab/hostnet/forward.js';
import { deleteNetns, inNetns } from '../lab/hostnet/netns.js';

const runs = Number(process.argv[2] ?? '30');
const netns = `labbench-relay-${process.pid}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Writes a line and resolves when the echo comes back: the time to a usable connection. */
function roundTrip(write: (text: string) => void, onData: (cb: (text: string) => void) => void) {
  return new Promise<void>((resolve) => {
    onData(() => resolve());
    write('ping\n');
  });
}

async function viaRelay(dir: string): Promise<number> {
  const started = performance.now();
  const socket: Socket = await relayConnect(relaySocket(dir), '127.0.0.1', 7000);
  socket.resume();
  await roundTrip(
    (t) => socket.write(t),
    (cb) => socket.once('data', (d) => cb(String(d))),
  );
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

/** The old way: a node process in the namespace per connection, its stdio the connection. */
async function viaProcess(): Promise<number> {
  const started = performance.now();
  const script =
    "const s=require('node:net').connect(7000,'127.0.0.1');process.stdin.pipe(s);s.pipe(process.stdout)";
  const argv = inNetns(netns, [process.execPath, '-e', script]);
  const child = spawn(argv[0] as string, argv.slice(1));
  await roundTrip(
    (t) => child.stdin.write(t),
    (cb) => child.stdout.once('data', (d) => cb(String(d))),
  );
  const ms = performance.now() - started;
  child.kill();
  return ms;
}

const dir = await mkdtemp(join(tmpdir(), 'lab-bench-relay-'));
execFileSync('ip', ['netns', 'add', netns]);
execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
const echo = spawn('ip', [
  'netns',
  'exec',
  netns,
  process.execPath,
  '-e',
  "require('node:net').createServer((s) => s.pipe(s)).listen(7000, '127.0.0.1', () => console.log('up'))",
]);
try {
  await new Promise((resolve) => echo.stdout.once('data', resolve));
  await startRelay(dir, netns);
  const relay: number[] = [];
  const process_: number[] = [];
  for (let i = 0; i < runs; i++) {
    relay.push(await viaRelay(dir));
    process_.push(await viaProcess());
  }
  const row = (what: string, ms: number[]) =>
    console.log(
      `${what.padEnd(34)} median ${median(ms).toFixed(1).padStart(7)} ms   min ${Math.min(...ms).toFixed(1)}   max ${Math.max(...ms).toFixed(1)}`,
    );
  console.log(`${runs} connections each, open + one round trip, in turn:`);
  row('through the lab relay', relay);
  row('a process per connection (before)', process_);
  console.log(`ratio of medians: ${(median(process_) / median(relay)).toFixed(0)}x`);
} finally {
  echo.kill();
  await stopForwards(dir);
  await deleteNetns(netns);
  await rm(dir, { recursive: true, force: true });
}
