import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa, execaSync } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QmpClient, QmpError, type QmpEvent } from '../../lab/vm/qmp.js';

interface Command {
  execute: string;
  arguments?: Record<string, unknown>;
  id?: unknown;
}

/** Writes one QMP line the way QEMU does (CRLF). */
function send(socket: Socket, message: unknown): void {
  socket.write(`${JSON.stringify(message)}\r\n`);
}

const greeting = {
  QMP: { version: { qemu: { major: 9, minor: 0, micro: 0 }, package: '' }, capabilities: [] },
};

/**
 * A stand-in for QEMU's QMP server: greets, accepts qmp_capabilities, and hands every
 * other command to `onCommand`, which answers however the test needs.
 */
class FakeQmp {
  readonly received: Command[] = [];
  readonly sockets: Socket[] = [];
  readonly server: Server;

  constructor(
    readonly path: string,
    onCommand: (command: Command, socket: Socket) => void,
    opts: { greet?: boolean } = {},
  ) {
    this.server = createServer((socket) => {
      this.sockets.push(socket);
      socket.on('error', () => {}); // the client may reset us, too
      if (opts.greet !== false) send(socket, greeting);
      let partial = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const command = JSON.parse(line) as Command;
          this.received.push(command);
          if (command.execute === 'qmp_capabilities') send(socket, { return: {}, id: command.id });
          else onCommand(command, socket);
        }
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.path, () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let dir: string;
let socketPath: string;
let fake: FakeQmp | undefined;
let client: QmpClient | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lab-qmp-'));
  socketPath = join(dir, 'qmp.sock');
});

afterEach(async () => {
  client?.close();
  client = undefined;
  await fake?.stop();
  fake = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function startFake(onCommand: (command: Command, socket: Socket) => void, opts?: { greet?: boolean }) {
  fake = new FakeQmp(socketPath, onCommand, opts);
  await fake.listen();
  return fake;
}

/** Answers query-status; everything else gets CommandNotFound, like QEMU. */
function statusServer(command: Command, socket: Socket): void {
  if (command.execute === 'query-status') {
    send(socket, { return: { status: 'running', running: true }, id: command.id });
  } else {
    send(socket, {
      error: { class: 'CommandNotFound', desc: `The command ${command.execute} has not been found` },
      id: command.id,
    });
  }
}

describe('QmpClient against a fake server', () => {
  it('negotiates capabilities, then runs a command', async () => {
    const server = await startFake(statusServer);
    client = await QmpClient.connect(socketPath);
    expect(server.received).toEqual([{ execute: 'qmp_capabilities', id: expect.anything() }]);

    const status = await client.execute<{ status: string }>('query-status');
    expect(status).toEqual({ status: 'running', running: true });
    expect(server.received[1]).toEqual({ execute: 'query-status', id: expect.anything() });
  });

  it('sends arguments', async () => {
    const server = await startFake((command, socket) => send(socket, { return: {}, id: command.id }));
    client = await QmpClient.connect(socketPath);
    await client.execute('device_del', { id: 'nic1' });
    expect(server.received[1]).toMatchObject({ execute: 'device_del', arguments: { id: 'nic1' } });
  });

  it('rejects with the QEMU error class and description, and stays usable', async () => {
    await startFake(statusServer);
    client = await QmpClient.connect(socketPath);

    const error = await client.execute('no-such-thing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QmpError);
    expect(error).toMatchObject({
      errorClass: 'CommandNotFound',
      desc: 'The command no-such-thing has not been found',
      command: 'no-such-thing',
      message: 'QMP no-such-thing: The command no-such-thing has not been found [CommandNotFound]',
    });
    await expect(client.execute('query-status')).resolves.toMatchObject({ status: 'running' });
  });

  it('delivers events that arrive between a command and its reply', async () => {
    await startFake((command, socket) => {
      send(socket, {
        event: 'DEVICE_DELETED',
        data: { device: 'nic1', path: '/machine/peripheral/nic1' },
        timestamp: { seconds: 1, microseconds: 2 },
      });
      send(socket, { return: {}, id: command.id });
    });
    client = await QmpClient.connect(socketPath);
    const events: QmpEvent[] = [];
    const unsubscribe = client.onEvent((e) => events.push(e));

    await client.execute('device_del', { id: 'nic1' });
    expect(events).toEqual([
      {
        event: 'DEVICE_DELETED',
        data: { device: 'nic1', path: '/machine/peripheral/nic1' },
        timestamp: { seconds: 1, microseconds: 2 },
      },
    ]);

    unsubscribe();
    await client.execute('device_del', { id: 'nic2' });
    expect(events).toHaveLength(1);
  });

  it('reassembles lines split across chunks, including inside a UTF-8 character', async () => {
    await startFake(async (command, socket) => {
      const bytes = Buffer.from(`${JSON.stringify({ return: { note: 'größe → ok' }, id: command.id })}\r\n`);
      for (const byte of bytes) {
        socket.write(Buffer.from([byte]));
        await delay(1);
      }
    });
    client = await QmpClient.connect(socketPath);
    await expect(client.execute('query-note')).resolves.toEqual({ note: 'größe → ok' });
  });

  it('handles several messages in one chunk', async () => {
    await startFake((command, socket) => {
      socket.write(
        [
          JSON.stringify({ event: 'A', timestamp: {} }),
          JSON.stringify({ return: command.execute, id: command.id }),
          JSON.stringify({ event: 'B', data: { n: 2 }, timestamp: {} }),
          '',
        ].join('\r\n'),
      );
    });
    client = await QmpClient.connect(socketPath);
    const seen: string[] = [];
    client.onEvent((e) => seen.push(e.event));
    await expect(client.execute('x')).resolves.toBe('x');
    await delay(10);
    expect(seen).toEqual(['A', 'B']);
  });

  it('matches replies to calls by id, whatever their order', async () => {
    const held: Command[] = [];
    await startFake((command, socket) => {
      held.push(command);
      if (held.length === 3) {
        for (const c of [...held].reverse()) send(socket, { return: c.execute, id: c.id });
      }
    });
    client = await QmpClient.connect(socketPath);
    const results = await Promise.all([
      client.execute('one'),
      client.execute('two'),
      client.execute('three'),
    ]);
    expect(results).toEqual(['one', 'two', 'three']);
  });

  it('rejects pending calls clearly when the server resets the connection, without unhandled errors', async () => {
    await startFake((command, socket) => {
      if (command.execute === 'hang-up') socket.destroy();
    });
    client = await QmpClient.connect(socketPath);
    const pending = client.execute('query-status'); // never answered
    const hangUp = client.execute('hang-up');

    for (const call of [pending, hangUp]) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QmpError);
      expect((error as QmpError).errorClass).toBe('Disconnected');
      expect((error as QmpError).message).toContain(`connection to ${socketPath} closed`);
    }
    // Later calls fail at once instead of hanging.
    await expect(client.execute('query-status')).rejects.toThrow(/Disconnected/);
  });

  it('treats the connection closing under a pending quit as success', async () => {
    await startFake((command, socket) => {
      if (command.execute === 'quit') socket.destroy();
    });
    client = await QmpClient.connect(socketPath);
    await expect(client.execute('quit')).resolves.toEqual({});
  });

  it('rejects pending calls when the client closes', async () => {
    await startFake(() => {});
    client = await QmpClient.connect(socketPath);
    const pending = client.execute('query-status');
    client.close();
    await expect(pending).rejects.toThrow(`connection to ${socketPath} was closed by the client`);
    client.close(); // idempotent
  });

  it('times out a call without a reply and ignores the late reply', async () => {
    let late: (() => void) | undefined;
    await startFake((command, socket) => {
      if (command.execute === 'slow') late = () => send(socket, { return: 'late', id: command.id });
      else send(socket, { return: 'fast', id: command.id });
    });
    client = await QmpClient.connect(socketPath);
    await expect(client.execute('slow', undefined, { timeoutMs: 50 })).rejects.toMatchObject({
      errorClass: 'Timeout',
      command: 'slow',
    });
    late?.();
    await expect(client.execute('quick')).resolves.toBe('fast');
  });

  it('fails all calls on a line that is not JSON', async () => {
    await startFake((_command, socket) => socket.write('this is not json\r\n'));
    client = await QmpClient.connect(socketPath);
    await expect(client.execute('query-status')).rejects.toMatchObject({ errorClass: 'Protocol' });
  });

  it('keeps retrying until the socket appears', async () => {
    const connecting = QmpClient.connect(socketPath, { timeoutMs: 5000 });
    await delay(200);
    await startFake(statusServer);
    client = await connecting;
    await expect(client.execute('query-status')).resolves.toMatchObject({ running: true });
  });

  it('times out with an error naming the socket when nothing listens', async () => {
    const error = await QmpClient.connect(socketPath, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QmpError);
    expect((error as QmpError).errorClass).toBe('Timeout');
    expect((error as QmpError).message).toMatch(
      new RegExp(`timed out after 0.2s waiting for the QMP socket ${socketPath}: .*ENOENT`),
    );
  });

  it('gives up on a server that never greets, and lets go of its socket', async () => {
    const server = await startFake(() => {}, { greet: false });
    const error = await QmpClient.connect(socketPath, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ errorClass: 'Timeout' });
    expect((error as Error).message).toContain(socketPath);
    await delay(20);
    expect(server.sockets.length).toBeGreaterThan(0);
    expect(server.sockets.every((s) => s.closed)).toBe(true);
  });

  it('can be aborted while connecting', async () => {
    const controller = new AbortController();
    const connecting = QmpClient.connect(socketPath, { timeoutMs: 5000, signal: controller.signal });
    controller.abort(new Error('vm died'));
    await expect(connecting).rejects.toThrow('vm died');
  });
});

const hasQemu = execaSync('qemu-system-x86_64', ['--version'], { reject: false }).exitCode === 0;

describe.skipIf(!hasQemu)('QmpClient against a real qemu-system-x86_64', () => {
  it('queries status and version, then quits cleanly', async () => {
    const qemu = execa(
      'qemu-system-x86_64',
      [
        '-machine',
        'none',
        '-nodefaults',
        '-display',
        'none',
        '-qmp',
        `unix:${socketPath},server=on,wait=off`,
      ],
      { reject: false },
    );
    try {
      client = await QmpClient.connect(socketPath, { timeoutMs: 5000 });
      const events: string[] = [];
      client.onEvent((e) => events.push(e.event));

      const status = await client.execute<{ status: string; running: boolean }>('query-status');
      expect(typeof status.status).toBe('string');
      expect(typeof status.running).toBe('boolean');

      const version = await client.execute<{ qemu: { major: number } }>('query-version');
      expect(version.qemu.major).toBeGreaterThanOrEqual(2);

      await expect(client.execute('quit')).resolves.toBeDefined();
      const result = await qemu;
      expect(result.exitCode).toBe(0);
      await expect(client.execute('query-status')).rejects.toThrow(/Disconnected/);
    } finally {
      qemu.kill();
    }
  });
});
