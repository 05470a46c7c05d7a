import { effectScope, nextTick, ref } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useProgressive } from './progressive';

/** A table of `total` rows searched by `query`; `idle()` lets the browser be idle once. */
function table(first = 40) {
  const total = ref(0);
  const query = ref('');
  const scope = effectScope();
  const limit = scope.run(() => useProgressive(() => total.value, () => query.value, first))!;
  const idle = () => vi.advanceTimersToNextTimerAsync();
  return { total, query, limit, idle, stop: () => scope.stop() };
}

describe('drawing a long table in steps', () => {
  // No requestIdleCallback in Node: a timer stands in for the browser's idle moments.
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('draws a screenful when the list arrives, then twice as many at each idle moment, until all are drawn', async () => {
    const { total, limit, idle, stop } = table();
    total.value = 1000;
    await nextTick();
    expect(limit.value).toBe(40);
    const steps: number[] = [];
    while (vi.getTimerCount() > 0) {
      await idle();
      steps.push(limit.value);
    }
    expect(steps).toEqual([80, 160, 320, 640, 1000]);
    stop();
  });

  it('draws a few rows that come later at once, and a new search in steps again', async () => {
    const { total, query, limit, idle, stop } = table();
    total.value = 100;
    await nextTick();
    await idle();
    await idle();
    expect(limit.value).toBe(100);
    total.value = 103;
    await nextTick();
    expect(limit.value).toBe(103);
    expect(vi.getTimerCount()).toBe(0);
    query.value = 'web';
    await nextTick();
    expect(limit.value).toBe(40);
    await idle();
    expect(limit.value).toBe(80);
    stop();
  });

  it('stops drawing more once its view is gone', async () => {
    const { total, stop } = table();
    total.value = 1000;
    await nextTick();
    expect(vi.getTimerCount()).toBe(1);
    stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
