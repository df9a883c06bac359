import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DoNotRetry, RetryTimeoutError, retryUntil } from '../../lab/util/retry.js';

/** fn that fails `failures` times (with "fail 1", "fail 2", ...) and then resolves to 'ok'. */
function failingTimes(failures: number) {
  let calls = 0;
  const fn = vi.fn(async () => {
    calls++;
    if (calls <= failures) throw new Error(`fail ${calls}`);
    return 'ok';
  });
  return fn;
}

describe('retryUntil (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first success without waiting', async () => {
    const fn = failingTimes(0);
    await expect(retryUntil(fn, { timeoutMs: 1000, what: 'x' })).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits intervalMs between failed attempts', async () => {
    const fn = failingTimes(2);
    const result = retryUntil(fn, { timeoutMs: 10_000, intervalMs: 100, what: 'x' });
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('defaults to a 500 ms interval', async () => {
    const fn = failingTimes(1);
    const result = retryUntil(fn, { timeoutMs: 10_000, what: 'x' });
    await vi.advanceTimersByTimeAsync(499);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok');
  });

  it('times out with the last error message', async () => {
    const fn = failingTimes(Number.POSITIVE_INFINITY);
    const result = retryUntil(fn, { timeoutMs: 2000, intervalMs: 500, what: 'the moon' });
    const check = expect(result).rejects.toThrow('timed out after 2s waiting for the moon: fail 5');
    await vi.advanceTimersByTimeAsync(2000);
    await check;
    // Attempts at 0, 500, 1000, 1500 and a last one at the deadline.
    expect(fn).toHaveBeenCalledTimes(5);
  });

  it('exposes the last error on the timeout error', async () => {
    const result = retryUntil(failingTimes(Number.POSITIVE_INFINITY), { timeoutMs: 1500, what: 'x' });
    const caught = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1500);
    const error = await caught;
    expect(error).toBeInstanceOf(RetryTimeoutError);
    expect((error as RetryTimeoutError).message).toBe('timed out after 1.5s waiting for x: fail 4');
    expect((error as RetryTimeoutError).lastError).toBeInstanceOf(Error);
  });

  it('does not let a hung attempt stretch the timeout', async () => {
    const fn = vi.fn(() => new Promise<never>(() => {}));
    const result = retryUntil(fn, { timeoutMs: 1000, what: 'a hung thing' });
    const check = expect(result).rejects.toThrow(
      'timed out after 1s waiting for a hung thing: no attempt finished in time',
    );
    await vi.advanceTimersByTimeAsync(1000);
    await check;
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('aborts the signal of an attempt it abandons, and only that one', async () => {
    const signals: AbortSignal[] = [];
    const fn = (attemptSignal: AbortSignal) => {
      signals.push(attemptSignal);
      return signals.length === 1 ? Promise.reject(new Error('first')) : new Promise<never>(() => {});
    };
    const result = retryUntil(fn, { timeoutMs: 1000, intervalMs: 100, what: 'x' });
    const caught = result.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await caught;
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(false);
    expect(signals[1]?.aborted).toBe(true);
    expect(signals[1]?.reason).toBe(error);
  });

  it('reports the failure before a hung final attempt', async () => {
    let calls = 0;
    const fn = () => (++calls === 1 ? Promise.reject(new Error('refused')) : new Promise<never>(() => {}));
    const result = retryUntil(fn, { timeoutMs: 1000, intervalMs: 100, what: 'x' });
    const check = expect(result).rejects.toThrow('timed out after 1s waiting for x: refused');
    await vi.advanceTimersByTimeAsync(1000);
    await check;
  });

  it('treats a synchronous throw as a failed attempt', async () => {
    let calls = 0;
    const fn = (): Promise<string> => {
      if (++calls === 1) throw new Error('sync');
      return Promise.resolve('ok');
    };
    const result = retryUntil(fn, { timeoutMs: 1000, intervalMs: 10, what: 'x' });
    await vi.advanceTimersByTimeAsync(10);
    await expect(result).resolves.toBe('ok');
  });

  it('stringifies non-Error rejections', async () => {
    const result = retryUntil(() => Promise.reject('plain string'), {
      timeoutMs: 100,
      intervalMs: 50,
      what: 'x',
    });
    const check = expect(result).rejects.toThrow('timed out after 0.1s waiting for x: plain string');
    await vi.advanceTimersByTimeAsync(100);
    await check;
  });

  it('stops when the signal aborts while sleeping', async () => {
    const controller = new AbortController();
    const fn = failingTimes(Number.POSITIVE_INFINITY);
    const result = retryUntil(fn, { timeoutMs: 10_000, what: 'x', signal: controller.signal });
    const check = expect(result).rejects.toThrow('stop');
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error('stop'));
    await check;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops when the signal aborts during an attempt', async () => {
    const controller = new AbortController();
    const result = retryUntil(() => new Promise<never>(() => {}), {
      timeoutMs: 10_000,
      what: 'x',
      signal: controller.signal,
    });
    const check = expect(result).rejects.toThrow('stop');
    controller.abort(new Error('stop'));
    await check;
  });

  it('passes an abort of the caller on to the running attempt', async () => {
    const controller = new AbortController();
    let attemptSignal: AbortSignal | undefined;
    const result = retryUntil(
      (s) => {
        attemptSignal = s;
        return new Promise<never>(() => {});
      },
      { timeoutMs: 10_000, what: 'x', signal: controller.signal },
    );
    const check = expect(result).rejects.toThrow('stop');
    controller.abort(new Error('stop'));
    await check;
    expect(attemptSignal?.aborted).toBe(true);
  });

  it('does not call fn when the signal is already aborted', async () => {
    const fn = failingTimes(0);
    const signal = AbortSignal.abort(new Error('already'));
    await expect(retryUntil(fn, { timeoutMs: 1000, what: 'x', signal })).rejects.toThrow('already');
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('retryUntil (real timers)', () => {
  it('succeeds once the condition becomes true', async () => {
    const readyAt = Date.now() + 60;
    const result = await retryUntil(
      async () => {
        if (Date.now() < readyAt) throw new Error('not yet');
        return 42;
      },
      { timeoutMs: 2000, intervalMs: 10, what: 'readiness' },
    );
    expect(result).toBe(42);
  });

  it('gives up near the deadline', async () => {
    const started = Date.now();
    await expect(
      retryUntil(() => Promise.reject(new Error('nope')), {
        timeoutMs: 150,
        intervalMs: 20,
        what: 'nothing',
      }),
    ).rejects.toThrow('timed out after 0.15s waiting for nothing: nope');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('DoNotRetry', () => {
  it('stops at once and throws the reason it carries', async () => {
    const reason = new Error('host key mismatch');
    const fn = vi.fn(async () => {
      throw new DoNotRetry(reason);
    });
    await expect(retryUntil(fn, { timeoutMs: 60_000, what: 'ssh' })).rejects.toBe(reason);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
