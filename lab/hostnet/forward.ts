// The way into a lab's namespace from the host: one long-lived relay per lab, inside the
// namespace, listening on a unix socket in the lab's directory (relay-daemon.mjs serve). SSH
// dials it directly; a host forward (e.g. the API server on 127.0.0.1:<free port>) is a second
// small daemon in the host's namespace that hands each connection to it. No process is started
// per connection. Both are detached (they outlive `lab start`), leave a JSON file with their pid
// in the lab dir, and exit by themselves once the lab's namespace is gone.
import { readdir, readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { LabError } from '../util/errors.js';
import { PROJECT_ROOT } from '../util/paths.js';
import { isOurProcess, spawnDetached, terminate } from '../vm/process.js';
import { inNetns } from './netns.js';

export interface Forward {
  name: string;
  pid: number;
  /** Port on 127.0.0.1 in the host's namespace. */
  port: number;
  /** host:port inside the lab's namespace. */
  target: string;
}

const DAEMON = join(PROJECT_ROOT, 'lab/hostnet/relay-daemon.mjs');
/** Where a lab's relay listens (a unix socket path may have at most 107 bytes). */
export const relaySocket = (labDir: string) => join(labDir, 'relay.sock');
const relayInfo = (labDir: string) => join(labDir, 'relay.json');
const infoFile = (labDir: string, name: string) => join(labDir, `forward-${name}.json`);
/** Files of this lab's relay and forwards in its dir (a snapshot leaves them: they belong to one running lab). */
export const isRelayFile = (name: string) => /^forward-|^relay\./.test(name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function readForward(labDir: string, name: string): Promise<Forward | undefined> {
  const info = await readJson<Omit<Forward, 'name'>>(infoFile(labDir, name));
  return info && { ...info, name };
}

/** Spawns a daemon and waits (up to 10 s) for its info file. */
async function startDaemon<T>(argv: string[], info: string, log: string, what: string): Promise<T> {
  spawnDetached(argv, log);
  for (let waited = 0; waited < 10_000; waited += 50) {
    const found = await readJson<T>(info);
    if (found) return found;
    await sleep(50);
  }
  const said = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').pop();
  throw new LabError(`${what} did not start${said ? `: ${said}` : ''}`, `see ${log}`);
}

/** Starts the lab's relay inside its namespace (once per lab, before anything dials it). */
export async function startRelay(labDir: string, netns: string): Promise<void> {
  const socket = relaySocket(labDir);
  if (Buffer.byteLength(socket) > 107)
    throw new LabError(
      `the lab's relay socket path is too long for a unix socket: ${socket}`,
      'use a shorter LAB_STATE directory',
    );
  await startDaemon(
    inNetns(netns, [process.execPath, DAEMON, 'serve', netns, socket, relayInfo(labDir)]),
    relayInfo(labDir),
    join(labDir, 'relay.log'),
    `the relay into namespace ${netns}`,
  );
}

/** Starts a forward from 127.0.0.1:<free port> to host:port in the lab's namespace, through the relay. */
export async function startForward(
  labDir: string,
  netns: string,
  name: string,
  target: { host: string; port: number },
): Promise<Forward> {
  const where = `${target.host}:${target.port}`;
  const info = await startDaemon<Omit<Forward, 'name'>>(
    [process.execPath, DAEMON, 'forward', netns, relaySocket(labDir), where, infoFile(labDir, name)],
    infoFile(labDir, name),
    join(labDir, `forward-${name}.log`),
    `the host forward "${name}" to ${where}`,
  );
  return { ...info, name };
}

/**
 * A connection to host:port inside the lab's namespace, through its relay. Rejects with the
 * relay's reason when the target cannot be reached (e.g. "connect ECONNREFUSED 10.0.0.2:22"),
 * or with a LabError when the relay itself is gone.
 */
export function relayConnect(socketPath: string, host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let head = Buffer.alloc(0);
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'ENOENT' || err.code === 'ECONNREFUSED'
          ? new LabError(
              `the lab's relay (${socketPath}) is not running`,
              'a lab started by an older lab, or its relay died: lab stop, then lab start',
            )
          : err,
      );
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(10);
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('error', onError);
      const answer = head.subarray(0, end).toString('utf8');
      if (answer !== 'ok') {
        socket.destroy();
        reject(new Error(answer.replace(/^error /, '')));
        return;
      }
      socket.pause();
      // Bytes the target sent right after "ok" (an SSH server speaks first) go back in front.
      if (end + 1 < head.length) socket.unshift(head.subarray(end + 1));
      resolve(socket);
    };
    socket.on('error', onError);
    socket.on('data', onData);
    socket.on('close', () => reject(new Error('the relay closed the connection before answering')));
    socket.write(`${host} ${port}\n`);
  });
}

/** Stops the lab's forwards and its relay; one already gone is fine. */
export async function stopForwards(labDir: string): Promise<void> {
  const files = (await readdir(labDir).catch(() => [] as string[])).filter((f) =>
    /^forward-.*\.json$|^relay\.json$/.test(f),
  );
  for (const file of files) {
    const info = await readJson<{ pid: number }>(join(labDir, file));
    // Only a process whose command line names this lab's info file is ours to stop.
    if (info && (await isOurProcess(info.pid, join(labDir, file)))) await terminate(info.pid);
  }
}
