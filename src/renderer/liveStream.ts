import { onScopeDispose, ref, watch } from 'vue';
import type { StreamHandle } from '../main/api/client';
import type { ChunkOf, OpenOf, StreamName } from '../main/api/contract';
import { toWire, type WireError } from '../main/api/errors';
import { stream } from './bridge';

export type LiveState = 'closed' | 'open' | 'ended';

export interface LiveStreamOptions<S extends StreamName> {
  /** The stream is open while this is not null, and opened anew whenever it changes (a container that starts again). */
  key: () => string | null;
  request: () => OpenOf<S>;
  chunk: (payload: ChunkOf<S>) => void;
  /** Called as a stream opens, before its first chunk: where a view drops what the last one showed. */
  opening?: () => void;
  /** After the stream ended, how long to wait before opening it again, or null to leave it ended. */
  retryAfterMs?: () => number | null;
}

/**
 * One stream kept open while a view wants it: cancelled when the key turns null and when the component
 * (or store) that made it goes away, so a view never leaves a stream running behind it.
 */
export function useLiveStream<S extends StreamName>(channel: S, options: LiveStreamOptions<S>) {
  const state = ref<LiveState>('closed');
  const error = ref<WireError | null>(null);
  let handle: StreamHandle<S> | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  // Each open gets a number: an older stream's last chunks or its end must not touch the newer one.
  let current = 0;

  function close(): void {
    current += 1;
    if (retry) clearTimeout(retry);
    retry = null;
    handle?.cancel();
    handle = null;
    state.value = 'closed';
  }

  /** A retry keeps the last error in view until the new stream proves it works, so a failing stream does not flicker. */
  function open(retrying = false): void {
    close();
    // Nothing is wanted now (a container that stopped): an error from the last stream would only mislead.
    if (options.key() === null) {
      error.value = null;
      return;
    }
    const mine = current;
    if (!retrying) error.value = null;
    state.value = 'open';
    options.opening?.();
    handle = stream(channel, options.request(), {
      chunk: (payload) => {
        if (mine !== current) return;
        error.value = null;
        options.chunk(payload);
      },
      end: (failure) => {
        if (mine !== current) return;
        handle = null;
        state.value = 'ended';
        error.value = failure ? toWire(failure) : null;
        const wait = options.retryAfterMs?.() ?? null;
        if (wait !== null) retry = setTimeout(() => open(true), wait);
      },
    });
  }

  watch(options.key, () => open(), { immediate: true });
  onScopeDispose(close);
  return { state, error, reopen: () => open(), handle: () => handle };
}
