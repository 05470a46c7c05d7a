import { effectScope, nextTick, ref } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamListener } from '../main/api/client';
import { BerthError } from '../main/api/errors';

interface Opened {
  request: unknown;
  listener: StreamListener<'containers.logs'>;
  cancelled: boolean;
}
const opened: Opened[] = [];
vi.mock('./bridge', () => ({
  stream: (_channel: string, request: unknown, listener: StreamListener<'containers.logs'>) => {
    const entry: Opened = { request, listener, cancelled: false };
    opened.push(entry);
    return { write: () => undefined, cancel: () => (entry.cancelled = true) };
  },
}));
const { useLiveStream } = await import('./liveStream');

const line = (text: string) => ({ lines: [{ stream: 'stdout' as const, time: null, text }] });

function follow(key: () => string | null, retryAfterMs?: () => number | null) {
  const seen: string[] = [];
  const scope = effectScope();
  const live = scope.run(() =>
    useLiveStream('containers.logs', { key, request: () => ({ id: key() ?? '' }), chunk: ({ lines }) => seen.push(lines[0]!.text), retryAfterMs }),
  )!;
  return { live, seen, stop: () => scope.stop() };
}

describe('a live stream', () => {
  beforeEach(() => {
    opened.length = 0;
  });

  it('opens while its key is set, anew when the key changes, and never lets the old stream through', async () => {
    const key = ref<string | null>('a');
    const { live, seen, stop } = follow(() => key.value);
    expect(opened.map((entry) => entry.request)).toEqual([{ id: 'a' }]);
    key.value = 'b';
    await nextTick();
    expect(opened[0]!.cancelled).toBe(true);
    opened[0]!.listener.chunk(line('old'));
    opened[1]!.listener.chunk(line('new'));
    expect(seen).toEqual(['new']);
    key.value = null;
    await nextTick();
    expect(opened[1]!.cancelled).toBe(true);
    expect(live.state.value).toBe('closed');
    stop();
  });

  it('keeps the error (with its hint) of a stream that failed until a retry works', async () => {
    vi.useFakeTimers();
    const { live, stop } = follow(() => 'a', () => 1000);
    opened[0]!.listener.end(new BerthError('ContainerNotRunning', 'web is not running', 'Start it.'));
    expect(live.state.value).toBe('ended');
    expect(live.error.value).toEqual({ name: 'ContainerNotRunning', message: 'web is not running', hint: 'Start it.' });
    vi.advanceTimersByTime(1000);
    expect(opened).toHaveLength(2);
    expect(live.error.value?.name).toBe('ContainerNotRunning');
    opened[1]!.listener.chunk(line('back'));
    expect(live.error.value).toBeNull();
    vi.useRealTimers();
    stop();
  });

  it('drops the last error once nothing is wanted, so a stopped container shows no stale failure', async () => {
    const key = ref<string | null>('a');
    const { live, stop } = follow(() => key.value);
    opened[0]!.listener.end(new BerthError('ContainerNotRunning', 'web is not running', 'Start it.'));
    expect(live.error.value?.name).toBe('ContainerNotRunning');
    key.value = null;
    await nextTick();
    expect(live.error.value).toBeNull();
    stop();
  });

  it('is cancelled with the view that opened it', () => {
    const { stop } = follow(() => 'a');
    stop();
    expect(opened[0]!.cancelled).toBe(true);
  });
});
