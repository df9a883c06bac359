import { describe, expect, it } from 'vitest';
import { mapPool } from '../../lab/util/pool.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapPool', () => {
  it('never runs more than the limit at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapPool([30, 10, 20, 5, 15], 2, async (ms) => {
      running++;
      peak = Math.max(peak, running);
      await tick(ms);
      running--;
      return ms * 2;
    });
    expect(out).toEqual([60, 20, 40, 10, 30]);
    expect(peak).toBe(2);
  });

  it('runs one at a time with limit 1, and copes with no items', async () => {
    const order: number[] = [];
    await mapPool([3, 1, 2], 1, async (n) => {
      order.push(n);
      await tick(n);
    });
    expect(order).toEqual([3, 1, 2]);
    expect(await mapPool([], 4, async (n: number) => n)).toEqual([]);
  });
});
