// SSH into lab VMs. The VMs are reachable only inside the lab's network namespace, and this
// process stays in the host's namespace, so the TCP connection is made by the lab's relay
// (lab/hostnet/forward.ts) inside it; ssh2 speaks the protocol over the relayed socket.

import { generateKeyPairSync } from 'node:crypto';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
// ssh2 is CommonJS: its named exports do not resolve under ESM at runtime, only the default.
import ssh2, { type ClientChannel, type Client as SshClient } from 'ssh2';
import { relayConnect } from '../hostnet/forward.js';
import { netnsExists } from '../hostnet/netns.js';
import { LabError } from '../util/errors.js';
import type { ExecResult } from '../util/exec-result.js';
import { DoNotRetry, RetryTimeoutError, retryUntil } from '../util/retry.js';

const { Client, utils } = ssh2;

export interface SshTarget {
  netns: string;
  /** The lab's relay socket (lab/hostnet/forward.ts relaySocket), which dials host:port in netns. */
  relay: string;
  host: string;
  /** Default 22. */
  port?: number;
  /** Default root. */
  username?: string;
  /** OpenSSH private key text. */
  privateKey: string;
  /** The VM's pinned host key, an OpenSSH public key line ("ssh-ed25519 AAAA..."). */
  hostPublicKey: string;
}

export type { ExecResult };

/** SSH wire format: a uint32 length, then the bytes. */
const sshString = (data: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};

/**
 * A VM's host key, made on the host in dropbear's own file format (string "ssh-ed25519",
 * string seed||public), so the guest needs no dropbearconvert at boot (1.4 s under TCG).
 * `publicKey` is the OpenSSH line the host pins.
 */
export function generateHostKey(comment: string): { dropbearPrivate: Buffer; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const type = Buffer.from('ssh-ed25519');
  return {
    dropbearPrivate: Buffer.concat([sshString(type), sshString(Buffer.concat([seed, pub]))]),
    publicKey: `ssh-ed25519 ${Buffer.concat([sshString(type), sshString(pub)]).toString('base64')} ${comment}`,
  };
}

/** A fresh ed25519 key pair: private key in OpenSSH format, public key as an authorized_keys line. */
export function generateLabKeys(comment: string): { privateKey: string; publicKey: string } {
  // ssh2 strips leading zero bytes from the 32-byte ed25519 public key (mscdex/ssh2#1390,
  // #1513), so about 1 key in 256 is malformed and dropbear refuses it at boot. Such a key
  // fails ssh2's own parseKey too: draw again until both halves parse.
  for (let attempt = 0; attempt < 64; attempt++) {
    const keys = utils.generateKeyPairSync('ed25519', { comment });
    if (!(utils.parseKey(keys.public) instanceof Error) && !(utils.parseKey(keys.private) instanceof Error)) {
      return { privateKey: keys.private, publicKey: keys.public };
    }
  }
  throw new LabError('could not generate a well-formed ed25519 key in 64 attempts');
}

// Each attempt may wait this long for the SSH handshake before the attempt counts as failed
// and is retried (a guest whose sshd accepted but hangs).
const HANDSHAKE_TIMEOUT_MS = 20_000;
const RETRY_INTERVAL_MS = 250;

export class SshSession {
  #closed = false;

  private constructor(
    private readonly client: SshClient,
    private readonly where: string,
  ) {
    // ssh2 throws 'error' events nobody listens to; after the handshake, a failure shows up
    // as channels closing without an exit status, which exec() reports.
    client.on('error', () => {});
    client.on('close', () => {
      this.#closed = true;
    });
  }

  /** Connects, retrying until the VM's sshd answers or `timeoutMs` (default 30 s) runs out. */
  static async open(target: SshTarget, opts: { timeoutMs?: number } = {}): Promise<SshSession> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const where = describeTarget(target);
    const hostKey = hostKeyBlob(target);
    // Without this, a missing namespace would be retried like a VM still booting.
    if (!(await netnsExists(target.netns))) {
      throw new LabError(
        `ssh to ${where}: network namespace ${target.netns} does not exist`,
        'is the lab up?',
      );
    }
    try {
      const client = await retryUntil(
        (attemptSignal) =>
          connectOnce(target, hostKey, Math.min(HANDSHAKE_TIMEOUT_MS, timeoutMs), attemptSignal).catch(
            (err: unknown) => {
              // connectOnce says LabError for what will not fix itself (a wrong host key, a
              // refused client key): no point in trying again.
              throw err instanceof LabError ? new DoNotRetry(err) : err;
            },
          ),
        { timeoutMs, intervalMs: RETRY_INTERVAL_MS, what: `ssh to ${where}` },
      );
      return new SshSession(client, where);
    } catch (err) {
      if (err instanceof RetryTimeoutError) {
        throw new LabError(
          err.message,
          'is the VM up and its sshd running? `lab status` shows the VM state',
          undefined,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  /**
   * Runs one command; its stdin gets `input` (or nothing) and then EOF.
   * On timeout the command is killed, and the promise rejects once it is gone, so the next
   * command does not race its exit (see stopCommand).
   */
  exec(command: string, opts: { timeoutMs?: number; input?: string | Buffer } = {}): Promise<ExecResult> {
    if (this.#closed) return Promise.reject(new LabError(`ssh to ${this.where}: the connection is closed`));
    return new Promise((resolve, reject) => {
      let channel: ClientChannel | undefined;
      let timedOut = false;
      let settled = false;
      const timeoutError = () =>
        new LabError(`ssh to ${this.where}: "${command}" timed out after ${opts.timeoutMs} ms`);
      const timers: NodeJS.Timeout[] = [];
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        settle();
      };
      if (opts.timeoutMs !== undefined) {
        timers.push(
          setTimeout(() => {
            timedOut = true;
            if (channel) stopCommand(channel);
            // Backstop for a connection that died silently: give up without the server's word.
            timers.push(setTimeout(() => finish(() => reject(timeoutError())), KILL_GRACE_MS + 1000));
          }, opts.timeoutMs),
        );
      }

      this.client.exec(command, (err, ch) => {
        if (err) {
          const error = timedOut
            ? timeoutError()
            : new LabError(`ssh to ${this.where}: cannot run "${command}": ${err.message}`);
          finish(() => reject(error));
          return;
        }
        channel = ch;
        if (timedOut) stopCommand(ch); // the time ran out while the channel was being opened
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let code: number | undefined;
        ch.on('data', (chunk: Buffer) => stdout.push(chunk));
        ch.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        ch.on('exit', (status: number | null, signal?: string) => {
          code = exitCode(status, signal);
        });
        ch.on('close', () =>
          finish(() => {
            if (timedOut) {
              reject(timeoutError());
            } else if (code === undefined) {
              reject(
                new LabError(
                  `ssh to ${this.where}: "${command}" ended without an exit status (connection lost?)`,
                ),
              );
            } else {
              resolve({
                code,
                stdout: Buffer.concat(stdout).toString('utf8'),
                stderr: Buffer.concat(stderr).toString('utf8'),
              });
            }
          }),
        );
        // Always send EOF, so a command that reads stdin (cat) ends instead of waiting forever.
        if (opts.input === undefined) ch.end();
        else ch.end(opts.input);
      });
    });
  }

  /** Interactive login shell on the local terminal; resolves with the shell's exit code. */
  shell(): Promise<number> {
    if (this.#closed) return Promise.reject(new LabError(`ssh to ${this.where}: the connection is closed`));
    const { stdin, stdout, stderr } = process;
    const window = {
      term: process.env.TERM || 'xterm-256color',
      rows: stdout.rows || 24,
      cols: stdout.columns || 80,
    };
    return new Promise((resolve, reject) => {
      this.client.shell(window, (err, channel) => {
        if (err) {
          reject(new LabError(`ssh to ${this.where}: cannot start a shell: ${err.message}`));
          return;
        }
        // Raw mode so keys like Ctrl-C and arrows reach the remote shell, not this process.
        const wasRaw = stdin.isTTY ? stdin.isRaw : false;
        if (stdin.isTTY) stdin.setRawMode(true);
        const onResize = () => channel.setWindow(stdout.rows || 24, stdout.columns || 80, 0, 0);
        stdout.on('resize', onResize);
        stdin.pipe(channel);
        // {end: false}: our stdout and stderr outlive the shell.
        channel.pipe(stdout, { end: false });
        channel.stderr.pipe(stderr, { end: false });

        // Like ssh(1): 255 when the connection is lost before an exit status arrives.
        let code = 255;
        channel.on('exit', (status: number | null, signal?: string) => {
          code = exitCode(status, signal);
        });
        channel.on('close', () => {
          stdout.off('resize', onResize);
          stdin.unpipe(channel);
          if (stdin.isTTY) stdin.setRawMode(wasRaw);
          // Piping resumed stdin; pausing lets the process exit once we are done.
          stdin.pause();
          resolve(code);
        });
      });
    });
  }

  /**
   * Says goodbye and drops the connection at once: waiting for the server's reply would hang
   * forever when the VM is already gone, and with it the proxy child and this process.
   */
  close(): void {
    this.#closed = true;
    this.client.end();
    this.client.destroy();
  }
}

/** Opens a session, runs one command, closes. */
export async function sshExec(
  target: SshTarget,
  command: string,
  opts: { timeoutMs?: number; input?: string | Buffer; connectTimeoutMs?: number } = {},
): Promise<ExecResult> {
  const session = await SshSession.open(target, { timeoutMs: opts.connectTimeoutMs });
  try {
    return await session.exec(command, { timeoutMs: opts.timeoutMs, input: opts.input });
  } finally {
    session.close();
  }
}

function describeTarget(target: SshTarget): string {
  return `${target.username ?? 'root'}@${target.host}:${target.port ?? 22} in netns ${target.netns}`;
}

/** The key blob of an OpenSSH public key line (its base64 field), which is what sshd sends. */
function hostKeyBlob(target: SshTarget): Buffer {
  const base64 = target.hostPublicKey.trim().split(/\s+/)[1];
  const blob = base64 ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (blob.length === 0) {
    throw new LabError(`the pinned host key for ${target.host} is not an OpenSSH public key line`);
  }
  return blob;
}

// How long a timed-out command gets to die of SIGKILL before we close its channel ourselves.
const KILL_GRACE_MS = 2000;

/**
 * Kills a timed-out command: sends SIGKILL and lets sshd close the channel once the command
 * has exited; closing the channel ourselves at once would leave the command running. The
 * delayed close covers servers that ignore signal requests. Only the command's top process
 * gets the signal (there is no pty, so no process group to signal).
 */
function stopCommand(channel: ClientChannel): void {
  // ssh2's channel.signal() refuses once our side sent EOF, which exec() always does; the
  // protocol allows it, so send the request the way signal() does internally.
  const internal = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
  };
  const { outgoing } = internal;
  if (outgoing && (outgoing.state === 'open' || outgoing.state === 'eof')) {
    internal._client?._protocol?.signal?.(outgoing.id, 'KILL');
  }
  const fallback = setTimeout(() => channel.close(), KILL_GRACE_MS);
  fallback.unref();
  channel.once('close', () => clearTimeout(fallback));
}

/** Shell convention: a command killed by signal n exits with 128 + n. */
function exitCode(status: number | null, signal: string | undefined): number {
  if (status !== null) return status;
  const number = signal ? constants.signals[signal as keyof typeof constants.signals] : undefined;
  return number === undefined ? 255 : 128 + number;
}

/**
 * One attempt: a connection through the lab's relay, and the SSH handshake over it.
 * Rejects with a LabError for failures that retrying cannot fix.
 */
async function connectOnce(
  target: SshTarget,
  hostKey: Buffer,
  handshakeTimeoutMs: number,
  signal: AbortSignal,
): Promise<SshClient> {
  // The relay's refusal ("connect ECONNREFUSED 10.0.0.2:22": sshd not up yet) is retried; a
  // relay that is gone is a LabError.
  const sock: Socket = await relayConnect(target.relay, target.host, target.port ?? 22);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyMismatch = false;
    let settled = false;

    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.destroy();
      sock.destroy();
      reject(err);
    };
    const onClientError = (err: Error & { level?: string }) => {
      if (hostKeyMismatch) {
        fail(
          new LabError(
            `host key of ${target.host} does not match the lab's key`,
            `the machine answering in netns ${target.netns} is not the VM this lab booted`,
          ),
        );
      } else if (err.level === 'client-authentication') {
        fail(new LabError(`ssh to ${describeTarget(target)}: the lab's key was refused (${err.message})`));
      } else {
        fail(err);
      }
    };
    const onClientClose = () => fail(new Error('connection closed before the SSH handshake finished'));
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });

    client.on('error', onClientError);
    client.on('close', onClientClose);
    client.on('ready', () => {
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.off('error', onClientError);
      client.off('close', onClientClose);
      // From now on the relayed socket lives exactly as long as the connection.
      client.on('close', () => sock.destroy());
      resolve(client);
    });

    try {
      client.connect({
        sock,
        username: target.username ?? 'root',
        privateKey: target.privateKey,
        readyTimeout: handshakeTimeoutMs,
        // Notices a VM that vanished without closing the connection (its commands then fail
        // instead of hanging).
        keepaliveInterval: 15_000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          hostKeyMismatch = !key.equals(hostKey);
          return !hostKeyMismatch;
        },
      });
    } catch (err) {
      // ssh2 checks its options synchronously (an unreadable private key, say): not retryable.
      fail(
        new LabError(`ssh to ${describeTarget(target)}: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  });
}
