export interface RetryOptions {
  /** Total budget across all attempts. */
  timeoutMs: number;
  /** Pause between a failed attempt and the next one (default 500). */
  intervalMs?: number;
  /** What we are waiting for, for the timeout message ("ssh on vm1"). */
  what: string;
  signal?: AbortSignal;
}

/** Thrown when the budget runs out; `lastError` is the most recent failure of `fn`, if any. */
export class RetryTimeoutError extends Error {
  override readonly name = 'RetryTimeoutError';
  constructor(
    message: string,
    readonly lastError: unknown,
  ) {
    super(message, { cause: lastError });
  }
}

/**
 * Thrown by an attempt whose failure retrying cannot fix (a wrong host key): retryUntil stops
 * at once and throws `reason`, instead of trying again until its budget runs out.
 */
export class DoNotRetry extends Error {
  override readonly name = 'DoNotRetry';
  constructor(readonly reason: unknown) {
    super(errorMessage(reason), { cause: reason });
  }
}

/**
 * Calls `fn` until it resolves (or throws DoNotRetry), pausing `intervalMs` after each failure.
 * An attempt still running at the deadline (or when `signal` aborts) is abandoned, so a hung
 * `fn` cannot stretch the timeout; `fn` receives a signal that aborts at that moment so it
 * can release what it holds (a half-open socket, a child process).
 */
export async function retryUntil<T>(
  fn: (attemptSignal: AbortSignal) => Promise<T>,
  opts: RetryOptions,
): Promise<T> {
  const { timeoutMs, intervalMs = 500, what, signal } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;

  for (;;) {
    signal?.throwIfAborted();
    const attemptController = new AbortController();
    let outcome: Outcome<T>;
    try {
      outcome = await settleBefore(
        attempt(() => fn(attemptController.signal)),
        deadline,
        signal,
      );
    } catch (abortReason) {
      attemptController.abort(abortReason);
      throw abortReason;
    }
    if (outcome.kind === 'value') return outcome.value;
    if (outcome.kind === 'error' && outcome.error instanceof DoNotRetry) {
      attemptController.abort(outcome.error.reason);
      throw outcome.error.reason;
    }
    if (outcome.kind === 'error') {
      lastError = outcome.error;
      attempts++;
    }
    const remaining = deadline - Date.now();
    if (outcome.kind === 'deadline' || remaining <= 0) {
      const last = attempts > 0 ? errorMessage(lastError) : 'no attempt finished in time';
      const timeout = new RetryTimeoutError(
        `timed out after ${formatSeconds(timeoutMs)} waiting for ${what}: ${last}`,
        lastError,
      );
      attemptController.abort(timeout);
      throw timeout;
    }
    await sleep(Math.min(intervalMs, remaining), signal);
  }
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'error'; error: unknown } | { kind: 'deadline' };

// Wraps fn so a synchronous throw counts as a failed attempt rather than escaping the loop.
function attempt<T>(fn: () => Promise<T>): Promise<Outcome<T>> {
  return new Promise<T>((resolve) => resolve(fn())).then(
    (value) => ({ kind: 'value', value }),
    (error: unknown) => ({ kind: 'error', error }),
  );
}

function settleBefore<T>(
  outcome: Promise<Outcome<T>>,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<Outcome<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(() => resolve({ kind: 'deadline' })),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => finish(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    // `outcome` never rejects (see attempt), so abandoning it cannot cause an unhandled rejection.
    void outcome.then((o) => finish(() => resolve(o)));

    function finish(settle: () => void) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
  });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
