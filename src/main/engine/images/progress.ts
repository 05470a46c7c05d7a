import type { LayerProgress, TransferProgress } from '../../api/images';

/** One message of Docker's JSON progress stream, as a pull or push writes it. */
export interface ProgressMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

// Downloading is most of a pull's wait; extracting the rest.
const DOWNLOADED = 0.7;

/** How far a layer is once Docker says `status`, given its phase's bytes; null keeps what it had (Retrying, ...). */
function layerFraction(status: string, phase: number): number | null {
  if (status === 'Pulling fs layer' || status === 'Waiting' || status === 'Preparing') return 0;
  if (status === 'Downloading') return DOWNLOADED * phase;
  if (status === 'Verifying Checksum' || status === 'Download complete') return DOWNLOADED;
  if (status === 'Extracting') return DOWNLOADED + (1 - DOWNLOADED) * phase;
  // A push's bytes include the layer's tar framing: it may count a little past its total.
  if (status === 'Pushing') return Math.min(phase, 0.99);
  // A plugin's pull ends each layer with Complete.
  if (['Pull complete', 'Complete', 'Already exists', 'Pushed', 'Layer already exists'].includes(status) || status.startsWith('Mounted from')) return 1;
  return null;
}

const LAYER_STATUSES = /^(Pulling fs layer|Waiting|Downloading|Verifying Checksum|Download complete|Extracting|Pull complete|Complete$|Already exists|Preparing|Pushing|Pushed|Layer already exists|Mounted from|Retrying)/;

/** Folds Docker's progress messages into one picture of the transfer: each layer, and the whole. */
export class ProgressTracker {
  private readonly layers = new Map<string, LayerProgress>();
  private status: string | null = null;
  private complete = false;

  /** Takes one message; returns the engine's error when the message is one. */
  seen(message: ProgressMessage): string | null {
    if (message.error || message.errorDetail?.message) return message.errorDetail?.message ?? message.error ?? null;
    const status = message.status;
    if (!status) return null;
    // A pull's first message carries the tag as its id ("latest: Pulling from ..."): it is not a layer.
    if (!message.id || !LAYER_STATUSES.test(status)) {
      this.status = message.id ? `${message.id}: ${status}` : status;
      return null;
    }
    const before = this.layers.get(message.id);
    const current = message.progressDetail?.current ?? null;
    const total = message.progressDetail?.total || null;
    const phase = current !== null && total ? Math.min(current / total, 1) : 0;
    const fraction = layerFraction(status, phase) ?? before?.fraction ?? 0;
    this.layers.set(message.id, { id: message.id, status, current, total, fraction: Math.min(Math.max(fraction, 0), 1) });
    return null;
  }

  /** The transfer ended well: every layer is as far as it goes. */
  finish(): void {
    this.complete = true;
    for (const layer of this.layers.values()) layer.fraction = 1;
  }

  snapshot(): TransferProgress {
    const layers = [...this.layers.values()].map((layer) => ({ ...layer }));
    const fraction = this.complete ? 1 : layers.length ? layers.reduce((sum, layer) => sum + layer.fraction, 0) / layers.length : 0;
    return { status: this.status, layers, fraction, complete: this.complete };
  }
}

/** Calls `send` at most once per `everyMs`, always with the newest value; `flush` sends what is pending now. */
export function throttled<T>(send: (value: T) => void, everyMs = 100): { push(value: T): void; flush(): void } {
  let pending: T | null = null;
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending !== null) send(pending);
    pending = null;
  };
  return {
    push(value) {
      pending = value;
      timer ??= setTimeout(flush, everyMs);
    },
    flush,
  };
}
