import { onScopeDispose, ref, watch, type Ref, type WatchSource } from 'vue';

/** Runs `work` once the browser is idle (after it has drawn what is pending), or after `timeoutMs` at the latest. */
const whenIdle = (work: () => void, timeoutMs: number): (() => void) => {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(work, { timeout: timeoutMs });
    return () => cancelIdleCallback(handle);
  }
  const timer = setTimeout(work, 1);
  return () => clearTimeout(timer);
};

/**
 * How many rows of a long table to draw, from a scope's setup: `first` at once, then twice as many at
 * each idle moment until all `total()` are drawn. A thousand rows take a browser about half a second to
 * draw and lay out; this way the first screenful shows without waiting for the rest, and the table is
 * laid out a handful of times, not once per row. Rows that come later (a few at a time, from events)
 * are drawn at once; a jump of more than `first` (the list arriving) is drawn in steps again, and so is
 * everything after `restart` changes (a new search).
 */
export function useProgressive(total: () => number, restart: WatchSource, first = 40): Ref<number> {
  const limit = ref(first);
  let cancel: (() => void) | null = null;

  function step(): void {
    cancel = null;
    limit.value = Math.min(total(), Math.max(first, limit.value * 2));
    later();
  }

  function later(): void {
    if (cancel === null && limit.value < total()) cancel = whenIdle(step, 100);
  }

  watch(total, (now, before) => {
    if (limit.value >= before && now - before <= first) limit.value = Math.max(limit.value, now);
    later();
  });
  watch(restart, () => {
    cancel?.();
    cancel = null;
    limit.value = first;
    later();
  });
  later();
  onScopeDispose(() => cancel?.());
  return limit;
}
