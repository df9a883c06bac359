// Client for the QEMU Machine Protocol: newline-delimited JSON over a unix socket.
// Protocol reference: QEMU's docs/interop/qmp-spec.rst.
import { createConnection, type Socket } from 'node:net';
import { RetryTimeoutError, retryUntil } from '../util/retry.js';

export interface QmpEvent {
  event: string;
  data?: unknown;
  timestamp?: unknown;
}

export type QmpEventListener = (event: QmpEvent) => void;

/**
 * A failed QMP command. `errorClass` is QEMU's error class (GenericError, CommandNotFound,
 * DeviceNotFound, ...) or one of ours: Timeout, Disconnected, Protocol.
 */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  constructor(
    readonly errorClass: string,
    readonly desc: string,
    readonly command?: string,
    options?: ErrorOptions,
  ) {
    super(`${command === undefined ? 'QMP' : `QMP ${command}`}: ${desc} [${errorClass}]`, options);
  }
}

// QEMU creates the socket early in startup, but a loaded CI host can take a while to get there.
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const CONNECT_RETRY_INTERVAL_MS = 50;
// Generous for query-* and device_add; callers of slow commands pass their own.
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

interface PendingCall {
  command: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class QmpClient {
  readonly #socketPath: string;
  readonly #socket: Socket;
  readonly #pending = new Map<number, PendingCall>();
  readonly #listeners = new Set<QmpEventListener>();
  readonly #greeting: Promise<void>;
  #greeted!: () => void;
  #greetingFailed!: (error: Error) => void;
  #nextId = 1;
  #partialLine = '';
  #socketError: Error | undefined;
  /** Set once the connection is gone; later calls fail with this. */
  #closedBecause: string | undefined;

  private constructor(socketPath: string, socket: Socket) {
    this.#socketPath = socketPath;
    this.#socket = socket;
    this.#greeting = new Promise<void>((resolve, reject) => {
      this.#greeted = resolve;
      this.#greetingFailed = reject;
    });
    // Only the handshake awaits the greeting; keep a failure after that from being "unhandled".
    void this.#greeting.catch(() => {});

    socket.setEncoding('utf8'); // decodes UTF-8 sequences that straddle chunk boundaries
    socket.on('data', (chunk: string) => this.#onData(chunk));
    // 'error' must have a listener or it is thrown: QEMU resets the socket on quit.
    // 'close' always follows 'error', so that is where calls are settled.
    socket.on('error', (error) => {
      this.#socketError ??= error;
    });
    socket.on('close', () => this.#shutDown(this.#describeDisconnect(), { peerClosed: true }));
  }

  /**
   * Connects, waits for QEMU's greeting and negotiates capabilities. Retries until the
   * socket exists and accepts (QEMU may still be starting), up to `timeoutMs`.
   */
  static async connect(
    socketPath: string,
    opts: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<QmpClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      return await retryUntil((attemptSignal) => QmpClient.#handshake(socketPath, attemptSignal), {
        timeoutMs,
        intervalMs: CONNECT_RETRY_INTERVAL_MS,
        what: `the QMP socket ${socketPath}`,
        signal: opts.signal,
      });
    } catch (error) {
      if (error instanceof RetryTimeoutError) {
        throw new QmpError('Timeout', error.message, undefined, { cause: error.lastError });
      }
      throw error;
    }
  }

  static async #handshake(socketPath: string, attemptSignal: AbortSignal): Promise<QmpClient> {
    const client = new QmpClient(socketPath, createConnection(socketPath));
    // An abandoned attempt must not keep the socket: QEMU serves one QMP client at a time.
    const abandon = () => client.close();
    attemptSignal.addEventListener('abort', abandon, { once: true });
    try {
      await client.#greeting;
      await client.execute('qmp_capabilities');
      return client;
    } catch (error) {
      client.close();
      throw error;
    } finally {
      attemptSignal.removeEventListener('abort', abandon);
    }
  }

  /** Runs a command and resolves with its "return" value; rejects with QmpError on "error". */
  execute<T = unknown>(
    command: string,
    args?: Record<string, unknown>,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    if (this.#closedBecause !== undefined) {
      return Promise.reject(new QmpError('Disconnected', this.#closedBecause, command));
    }
    const id = this.#nextId++;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id); // a late reply is then dropped
        reject(new QmpError('Timeout', `no reply from ${this.#socketPath} within ${timeoutMs} ms`, command));
      }, timeoutMs);
      this.#pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject, timer });
      const request =
        args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
      this.#socket.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Subscribes to asynchronous events (SHUTDOWN, DEVICE_DELETED, ...); returns the unsubscribe function. */
  onEvent(listener: QmpEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Drops the connection; calls still waiting are rejected. Safe to call more than once. */
  close(): void {
    this.#shutDown(`connection to ${this.#socketPath} was closed by the client`, { peerClosed: false });
    this.#socket.destroy();
  }

  #onData(chunk: string): void {
    // A chunk may hold part of a line or several lines; keep the unfinished tail for next time.
    const lines = (this.#partialLine + chunk).split('\n');
    this.#partialLine = lines.pop() ?? '';
    for (const line of lines) {
      if (this.#closedBecause !== undefined) return;
      if (line.trim() !== '') this.#onLine(line); // QEMU ends lines with \r\n; JSON.parse ignores the \r
    }
  }

  #onLine(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#protocolError(`unparseable line from ${this.#socketPath}: ${line.slice(0, 200)}`);
      return;
    }
    if (!isRecord(message)) {
      this.#protocolError(`unexpected message from ${this.#socketPath}: ${line.slice(0, 200)}`);
    } else if ('QMP' in message) {
      this.#greeted();
    } else if (typeof message.event === 'string') {
      this.#emit({ event: message.event, data: message.data, timestamp: message.timestamp });
    } else if ('return' in message || 'error' in message) {
      this.#onReply(message);
    }
    // Anything else is ignored: newer QEMUs may add message kinds we do not know.
  }

  #onReply(reply: Record<string, unknown>): void {
    // QEMU answers in order and echoes our id. A reply without one (QEMU could not parse the
    // request at all) can only belong to the oldest call still waiting.
    const id = typeof reply.id === 'number' ? reply.id : this.#pending.keys().next().value;
    if (id === undefined) return;
    const call = this.#pending.get(id);
    if (call === undefined) return; // timed out already
    this.#pending.delete(id);
    clearTimeout(call.timer);
    if ('error' in reply) {
      const error = isRecord(reply.error) ? reply.error : {};
      const errorClass = typeof error.class === 'string' ? error.class : 'GenericError';
      const desc = typeof error.desc === 'string' ? error.desc : JSON.stringify(reply.error);
      call.reject(new QmpError(errorClass, desc, call.command));
    } else {
      call.resolve(reply.return);
    }
  }

  #emit(event: QmpEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not abort parsing of the lines after this one;
        // rethrow outside this loop so the bug still surfaces.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #protocolError(desc: string): void {
    const error = new QmpError('Protocol', desc);
    this.#shutDown(desc, { peerClosed: false, error });
    this.#socket.destroy();
  }

  #describeDisconnect(): string {
    const why = this.#socketError === undefined ? '' : ` (${this.#socketError.message})`;
    return `connection to ${this.#socketPath} closed${why}`;
  }

  #shutDown(reason: string, how: { peerClosed: boolean; error?: Error }): void {
    if (this.#closedBecause !== undefined) return;
    this.#closedBecause = reason;
    this.#greetingFailed(
      how.error ?? new QmpError('Disconnected', reason, undefined, { cause: this.#socketError }),
    );
    for (const call of this.#pending.values()) {
      clearTimeout(call.timer);
      if (how.peerClosed && call.command === 'quit') {
        // QEMU often drops the connection before its reply to quit gets out: that is success.
        call.resolve({});
      } else {
        call.reject(
          how.error ?? new QmpError('Disconnected', reason, call.command, { cause: this.#socketError }),
        );
      }
    }
    this.#pending.clear();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
