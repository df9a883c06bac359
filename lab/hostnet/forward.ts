// Host access to a service inside a lab: a small daemon in the host's namespace listens on
// 127.0.0.1:<free port> and relays each connection into the lab's namespace (netns-proxy).
// It is detached (it outlives `lab start`), leaves a JSON file with its pid and port in the
// lab dir, and exits by itself once the lab's namespace is gone, so even a crashed start
// leaves no forwarder behind.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../util/errors.js';
import { isOurProcess, spawnDetached, terminate } from '../vm/process.js';
import { relayArgv } from './netns-proxy.js';

export interface Forward {
  name: string;
  pid: number;
  /** Port on 127.0.0.1 in the host's namespace. */
  port: number;
  /** host:port inside the lab's namespace. */
  target: string;
}

// argv: netns, info file, target (for the info file), relay argv as JSON.
const DAEMON_SCRIPT = `
const net = require('node:net');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const [netns, infoFile, target, relayJson] = process.argv.slice(1);
const relay = JSON.parse(relayJson);
// Half-open: a client that ends its side still gets the rest of the reply.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  const child = spawn(relay[0], relay.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => {});
  socket.on('error', () => child.kill());
  socket.on('close', () => child.kill());
  socket.pipe(child.stdin);
  child.stdout.pipe(socket);
});
server.listen(0, '127.0.0.1', () => {
  fs.writeFileSync(infoFile + '.tmp', JSON.stringify({ pid: process.pid, port: server.address().port, target }));
  fs.renameSync(infoFile + '.tmp', infoFile);
});
setInterval(() => { if (!fs.existsSync('/run/netns/' + netns)) process.exit(0); }, 2000).unref();
server.on('close', () => process.exit(0));
`;

const infoFile = (labDir: string, name: string) => join(labDir, `forward-${name}.json`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function readForward(labDir: string, name: string): Promise<Forward | undefined> {
  try {
    const info = JSON.parse(await readFile(infoFile(labDir, name), 'utf8')) as Omit<Forward, 'name'>;
    return { ...info, name };
  } catch {
    return undefined;
  }
}

/** Starts the forwarder and waits (up to 10 s) until it listens. */
export async function startForward(
  labDir: string,
  netns: string,
  name: string,
  target: { host: string; port: number },
): Promise<Forward> {
  const file = infoFile(labDir, name);
  const where = `${target.host}:${target.port}`;
  spawnDetached(
    [
      process.execPath,
      '-e',
      DAEMON_SCRIPT,
      '--',
      netns,
      file,
      where,
      JSON.stringify(relayArgv(netns, target.host, target.port)),
    ],
    join(labDir, `forward-${name}.log`),
  );
  for (let waited = 0; waited < 10_000; waited += 50) {
    const info = await readForward(labDir, name);
    if (info) return info;
    await sleep(50);
  }
  throw new LabError(
    `the host forward "${name}" to ${where} did not start`,
    `see ${join(labDir, `forward-${name}.log`)}`,
  );
}

/** Stops every forwarder of the lab dir; one already gone is fine. */
export async function stopForwards(labDir: string): Promise<void> {
  const files = (await readdir(labDir).catch(() => [] as string[])).filter((f) =>
    /^forward-.*\.json$/.test(f),
  );
  for (const file of files) {
    const name = file.replace(/^forward-|\.json$/g, '');
    const info = await readForward(labDir, name);
    // Only a process whose command line names this lab's info file is ours to stop.
    if (info && (await isOurProcess(info.pid, infoFile(labDir, name)))) await terminate(info.pid);
  }
}
