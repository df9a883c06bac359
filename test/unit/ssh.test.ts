// SshSession against a real dropbear running in a throwaway network namespace, reached the same
// way lab VMs are: only from inside the namespace. Needs root and dropbear-bin (installed if missing).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relaySocket, startRelay, stopForwards } from '../../lab/hostnet/forward.js';
import { inNetns } from '../../lab/hostnet/netns.js';
import { LabError } from '../../lab/util/errors.js';
import { retryUntil } from '../../lab/util/retry.js';
import { generateHostKey, generateLabKeys, SshSession, type SshTarget, sshExec } from '../../lab/vm/ssh.js';

const NETNS = `labtest-ssh-${process.pid}`;
const PORT = 2222;
const clientKeys = generateLabKeys('labtest client');
const hostKeys = generateHostKey('labtest host');
const target: SshTarget = {
  netns: NETNS,
  relay: '', // the relay's socket, once beforeAll started it

  host: '127.0.0.1',
  port: PORT,
  privateKey: clientKeys.privateKey,
  hostPublicKey: hostKeys.publicKey,
};

/** Why the suite cannot run here, or undefined when it can. */
async function skipReason(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const have = async () =>
    (await execa('sh', ['-c', 'command -v dropbear && command -v dropbearkey'], { reject: false }))
      .exitCode === 0;
  if (await have()) return undefined;
  const install = await execa('apt-get', ['install', '-y', 'dropbear-bin'], {
    reject: false,
    env: { DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (await have()) return undefined;
  return `dropbear-bin is not installed and could not be installed: ${String(install.stderr).trim().split('\n').pop()}`;
}

const skip = await skipReason();
if (skip) console.warn(`skipping ssh tests: ${skip}`);

describe.skipIf(skip !== undefined)('ssh (real dropbear in a test netns)', () => {
  let tmp: string;
  let dropbear: ChildProcess;
  let dropbearLog = '';

  beforeAll(async () => {
    await execa('ip', ['netns', 'add', NETNS]);
    await execa('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up']);

    tmp = await mkdtemp(join(tmpdir(), 'labtest-ssh-'));
    // The lab's way in: its relay inside the namespace, as lab start starts it.
    await startRelay(tmp, NETNS);
    target.relay = relaySocket(tmp);
    // The host key in dropbear's own format, exactly as a VM gets it: real dropbear must load
    // it, and the client below pins its public half.
    await writeFile(join(tmp, 'host_ed25519'), hostKeys.dropbearPrivate, { mode: 0o600 });
    // Dropbear reads ~root/.ssh/authorized_keys and this version has no option to look
    // elsewhere, so it runs in its own mount namespace with a temp dir mounted over /root:
    // the real /root is neither read nor written.
    const home = join(tmp, 'root');
    await mkdir(join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await chmod(home, 0o700);
    await writeFile(join(home, '.ssh', 'authorized_keys'), `${clientKeys.publicKey}\n`, { mode: 0o600 });

    const argv = inNetns(NETNS, [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount --bind "$0" /root && exec dropbear -F -E -s -r "$1" -p 127.0.0.1:${PORT}`,
      home,
      join(tmp, 'host_ed25519'),
    ]);
    // ip, unshare and sh all exec, so this child's pid ends up being dropbear's.
    dropbear = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    dropbear.stderr?.setEncoding('utf8').on('data', (text: string) => {
      dropbearLog += text;
    });

    // Ready once something listens on 127.0.0.1:PORT inside the namespace (/proc/net/tcp is
    // per namespace; 0100007F = 127.0.0.1, state 0A = LISTEN).
    const listening = `0100007F:${PORT.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
    await retryUntil(
      async () => {
        if (dropbear.exitCode !== null) throw new Error(`dropbear exited: ${dropbearLog}`);
        const { stdout } = await execa('ip', ['netns', 'exec', NETNS, 'cat', '/proc/net/tcp']);
        if (!stdout.includes(listening)) throw new Error('not listening yet');
      },
      { timeoutMs: 5000, intervalMs: 50, what: 'dropbear to listen' },
    );
  });

  afterAll(async () => {
    await stopForwards(tmp);
    if (dropbear && dropbear.exitCode === null) {
      const exited = new Promise((resolve) => dropbear.once('exit', resolve));
      dropbear.kill();
      await exited;
    }
    // Whatever dropbear started (sessions) and any helper that outlived its connection.
    const pids = await execa('ip', ['netns', 'pids', NETNS], { reject: false });
    for (const pid of String(pids.stdout).split('\n').filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {}
    }
    await execa('ip', ['netns', 'delete', NETNS], { reject: false });
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('returns stdout, stderr and the exit code', async () => {
    const result = await sshExec(target, 'echo out; echo err >&2; exit 3');
    expect(result).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('pipes input to the command and then closes its stdin', async () => {
    const session = await SshSession.open(target);
    try {
      await expect(session.exec('cat', { input: 'hello\nworld\n' })).resolves.toMatchObject({
        code: 0,
        stdout: 'hello\nworld\n',
      });
      // Larger than the SSH window, so flow control has to work both ways.
      const big = Buffer.alloc(300_000, 'x');
      const echoed = await session.exec('cat', { input: big });
      expect(echoed.stdout.length).toBe(big.length);
      // No input: the command sees EOF rather than waiting forever.
      await expect(session.exec('cat; echo done')).resolves.toMatchObject({ stdout: 'done\n' });
    } finally {
      session.close();
    }
  });

  it('runs many commands on one session, one after another and at once', async () => {
    const session = await SshSession.open(target);
    try {
      for (let i = 0; i < 5; i++) {
        expect((await session.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
      }
      // The sleep keeps every command alive until all channels are set up: the host's dropbear
      // (2022.83, Debian bookworm) closes a channel whose exec request arrives after another
      // child of the connection exited (dropbear issue #321, fixed in 2024.86).
      const results = await Promise.all(
        [5, 6, 7, 8, 9].map((i) => session.exec(`sleep 0.5; echo ${i}; exit ${i}`)),
      );
      expect(results.map((r) => [r.stdout, r.code])).toEqual([5, 6, 7, 8, 9].map((i) => [`${i}\n`, i]));
    } finally {
      session.close();
    }
  });

  it('reports a command killed by a signal as 128 + n', async () => {
    const result = await sshExec(target, 'kill -TERM $$');
    expect(result.code).toBe(128 + 15);
  });

  it('fails a command that outlives its timeout, and the session stays usable', async () => {
    const session = await SshSession.open(target);
    try {
      const started = Date.now();
      const error = await session.exec('sleep 30', { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LabError);
      expect((error as Error).message).toMatch(/"sleep 30" timed out after 300 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(session.exec('echo still here')).resolves.toMatchObject({ stdout: 'still here\n' });
    } finally {
      session.close();
    }
  });

  it('rejects a host key other than the pinned one at once, without retrying', async () => {
    const impostor = { ...target, hostPublicKey: generateLabKeys('other').publicKey };
    const started = Date.now();
    const error = await SshSession.open(impostor, { timeoutMs: 6000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toBe("host key of 127.0.0.1 does not match the lab's key");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails at once when the server refuses the client key', async () => {
    const stranger = { ...target, privateKey: generateLabKeys('stranger').privateKey };
    const started = Date.now();
    const error = await SshSession.open(stranger, { timeoutMs: 6000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toMatch(/the lab's key was refused/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails at once when the namespace does not exist', async () => {
    const error = await SshSession.open({ ...target, netns: `${NETNS}-missing` }, { timeoutMs: 6000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toContain(`network namespace ${NETNS}-missing does not exist`);
  });

  it('refuses to run commands after close()', async () => {
    const session = await SshSession.open(target);
    session.close();
    await expect(session.exec('true')).rejects.toThrow(/the connection is closed/);
  });

  it('gives up when nothing listens, naming the host, the netns and the last error', async () => {
    const started = Date.now();
    const error = await SshSession.open({ ...target, port: PORT + 1 }, { timeoutMs: 1500 }).catch(
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(LabError);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1');
    expect(message).toContain(NETNS);
    expect(message).toContain('ECONNREFUSED');
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(4000);
  });

  // Also catches a timed-out command that was not killed (the timeout test's `sleep 30`).
  it('leaves no process behind in the namespace after close()', async () => {
    const session = await SshSession.open(target);
    await session.exec('true');
    session.close();
    // Only dropbear itself and the lab's relay should remain (dropbear's per-connection child
    // exits with the connection; the relay starts nothing per connection).
    const relay = JSON.parse(await readFile(join(tmp, 'relay.json'), 'utf8')) as { pid: number };
    await retryUntil(
      async () => {
        const { stdout } = await execa('ip', ['netns', 'pids', NETNS]);
        const pids = stdout.split('\n').filter(Boolean).map(Number);
        if (pids.sort().join() !== [dropbear.pid, relay.pid].sort().join()) {
          const names = await Promise.all(
            pids.map((pid) => readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')),
          );
          throw new Error(`still running in ${NETNS}: ${names.map((n) => n.trim()).join(', ')}`);
        }
      },
      { timeoutMs: 3000, intervalMs: 50, what: 'the namespace to empty' },
    );
  });
});
