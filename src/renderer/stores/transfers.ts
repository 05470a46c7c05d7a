import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { StreamHandle } from '../../main/api/client';
import type { TransferProgress } from '../../main/api/images';
import { toWire, type WireError } from '../../main/api/errors';
import { stream } from '../bridge';

export type Direction = 'pull' | 'push';

export interface Transfer {
  id: number;
  direction: Direction;
  reference: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: TransferProgress | null;
  error: WireError | null;
}

/**
 * Pulls and pushes the window started, newest first. They stay listed when they end, so their outcome
 * (or error and hint) can be read; leaving the page does not stop them.
 */
export const useTransfersStore = defineStore('transfers', () => {
  const transfers = ref<Transfer[]>([]);
  const handles = new Map<number, StreamHandle<'images.pull' | 'images.push'>>();
  let nextId = 1;

  const find = (id: number) => transfers.value.find((transfer) => transfer.id === id);

  function start(direction: Direction, reference: string): void {
    const id = nextId++;
    transfers.value.unshift({ id, direction, reference, state: 'running', progress: null, error: null });
    const handle = stream(direction === 'pull' ? 'images.pull' : 'images.push', { reference }, {
      chunk(progress) {
        const transfer = find(id);
        if (transfer) transfer.progress = progress;
      },
      end(error) {
        handles.delete(id);
        const transfer = find(id);
        if (!transfer || transfer.state !== 'running') return;
        transfer.state = error ? 'failed' : 'done';
        transfer.error = error ? toWire(error) : null;
      },
    });
    handles.set(id, handle);
  }

  function cancel(id: number): void {
    handles.get(id)?.cancel();
    handles.delete(id);
    const transfer = find(id);
    if (transfer?.state === 'running') transfer.state = 'cancelled';
  }

  function dismiss(id: number): void {
    cancel(id);
    transfers.value = transfers.value.filter((transfer) => transfer.id !== id);
  }

  return { transfers, start, cancel, dismiss };
});
