import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { TransferProgress } from '../../main/api/images';
import { toWire, type BerthError, type WireError } from '../../main/api/errors';
import { stream } from '../bridge';

export type Direction = 'pull' | 'push';
/** What a transfer does: an image's pull or push, or a plugin's install or upgrade (a pull too, of a plugin). */
export type TransferKind = Direction | 'install' | 'upgrade';

export interface Transfer {
  id: number;
  direction: TransferKind;
  reference: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  progress: TransferProgress | null;
  error: WireError | null;
}

/** Where a transfer's progress comes from: a stream of the contract whose chunks are TransferProgress. */
export type OpenTransfer = (listener: { chunk(progress: TransferProgress): void; end(error: BerthError | null): void }) => { cancel(): void };

/** Transfers in progress and ended, newest first, each from the stream `open` starts; a view lists them. */
export function useTransferList() {
  const transfers = ref<Transfer[]>([]);
  const handles = new Map<number, { cancel(): void }>();
  let nextId = 1;

  const find = (id: number) => transfers.value.find((transfer) => transfer.id === id);

  /** Starts one; `ended` runs once it ended by itself, with its error or null. */
  function follow(direction: TransferKind, reference: string, open: OpenTransfer, ended?: (error: WireError | null) => void): void {
    const id = nextId++;
    transfers.value.unshift({ id, direction, reference, state: 'running', progress: null, error: null });
    const handle = open({
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
        ended?.(transfer.error);
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

  return { transfers, follow, cancel, dismiss };
}

/**
 * Pulls and pushes the window started, newest first. They stay listed when they end, so their outcome
 * (or error and hint) can be read; leaving the page does not stop them.
 */
export const useTransfersStore = defineStore('transfers', () => {
  const { transfers, follow, cancel, dismiss } = useTransferList();

  function start(direction: Direction, reference: string): void {
    follow(direction, reference, (listener) => stream(direction === 'pull' ? 'images.pull' : 'images.push', { reference }, listener));
  }

  return { transfers, start, cancel, dismiss };
});
