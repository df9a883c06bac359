// The lab's relay and a host forward against a real namespace: a TCP echo server inside it,
// reached from the host's namespace through 127.0.0.1 and through relayConnect, with no process
// started per connection; both daemons exit once the namespace is gone.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readForward,
  relayConnect,
  relaySocket,
  startForward,
  startRelay,
  stopForwards,
} from '../../lab/hostnet/forward.js';
import { deleteNetns } from '../../lab/hostnet/netns.js';
import { commandLine } from '../../lab/vm/process.js';

const netns = `labtest-fwd-${process.pid}`;
let dir: string;
let server: ReturnType<typeof spawn>;

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let got = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      got += chunk;
    });
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
  });
}

const gone = async (pid: number) => {
  for (let i = 0; i < 100; i++) {
    if (!(await commandLine(pid))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-forward-'));
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  // An upper-casing echo server on 127.0.0.1:7000 of the namespace only.
  server = spawn('ip', [
    'netns',
    'exec',
    netns,
    process.execPath,
    '-e',
    "require('node:net').createServer((s) => s.on('data', (d) => s.write(String(d).toUpperCase())).on('end', () => s.end())).listen(7000, '127.0.0.1', () => console.log('up'))",
  ]);
  await new Promise((resolve) => server.stdout?.once('data', resolve));
});

afterAll(async () => {
  server?.kill();
  await stopForwards(dir);
  await deleteNetns(netns);
  await rm(dir, { recursive: true, force: true });
});

const relayPid = async () =>
  (JSON.parse(await readFile(join(dir, 'relay.json'), 'utf8')) as { pid: number }).pid;

/** The namespace's processes: the echo server and the relay, and nothing per connection. */
const netnsPids = () =>
  execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);

describe('relay and host forward into a lab namespace', () => {
  it('relays connections from 127.0.0.1 on the host to a service inside the namespace', async () => {
    await startRelay(dir, netns);
    const before = netnsPids();
    expect(before).toContain(await relayPid());
    const forward = await startForward(dir, netns, 'echo', { host: '127.0.0.1', port: 7000 });
    expect(forward.target).toBe('127.0.0.1:7000');
    expect(await roundTrip(forward.port, 'hello')).toBe('HELLO');
    // Two at once, through the one relay: no process is started for either.
    expect(await Promise.all([roundTrip(forward.port, 'a'), roundTrip(forward.port, 'b')])).toEqual([
      'A',
      'B',
    ]);
    expect(netnsPids().sort()).toEqual(before.sort());
  });

  it('relayConnect gives a socket to the target, or the reason it cannot be reached', async () => {
    const socket = await relayConnect(relaySocket(dir), '127.0.0.1', 7000);
    const reply = new Promise<string>((resolve) => {
      let got = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        got += chunk;
      });
      socket.on('close', () => resolve(got));
    });
    socket.resume();
    socket.end('relayed');
    expect(await reply).toBe('RELAYED');
    await expect(relayConnect(relaySocket(dir), '127.0.0.1', 7001)).rejects.toThrow(
      /ECONNREFUSED 127.0.0.1:7001/,
    );
    await expect(relayConnect(join(dir, 'nothing.sock'), '127.0.0.1', 7000)).rejects.toThrow(
      /relay .* is not running/,
    );
  });

  it('stopForwards stops the forward and the relay, and the port closes', async () => {
    const forward = await readForward(dir, 'echo');
    expect(forward).toBeDefined();
    const relay = await relayPid();
    await stopForwards(dir);
    expect(await gone(forward?.pid ?? 0)).toBe(true);
    expect(await gone(relay)).toBe(true);
    // Nothing relays to the echo server any more (the port may already serve something else).
    expect(await roundTrip(forward?.port ?? 0, 'x').catch(() => 'refused')).not.toBe('X');
  });

  it('both exit by themselves when the namespace is deleted (nothing outlives a crashed lab)', async () => {
    await startRelay(dir, netns);
    const relay = await relayPid();
    const forward = await startForward(dir, netns, 'orphan', { host: '127.0.0.1', port: 7000 });
    server.kill();
    await deleteNetns(netns);
    expect(await gone(forward.pid)).toBe(true);
    expect(await gone(relay)).toBe(true);
  });
});
