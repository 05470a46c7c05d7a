import { reactive } from 'vue';
import { toWire, type WireError } from '../../main/api/errors';
import type { ApplyProgress } from '../../main/api/registry';

export interface Applying {
  state: 'idle' | 'running' | 'done' | 'failed';
  /** Each step once, in the order they started, as its latest chunk says. */
  steps: ApplyProgress[];
  error: WireError | null;
}

/** What an apply stream reports to: each step's progress, then its end. */
export interface ApplyListener {
  chunk(progress: ApplyProgress): void;
  end(error?: unknown): void;
}

/**
 * Applying settings step by step as the backend reports them, one at a time. It is not tied to a page, so
 * leaving the page does not cancel a restart half done.
 */
export function useApplying() {
  const applying = reactive<Applying>({ state: 'idle', steps: [], error: null });

  /** Opens the stream with `open` and follows it; `applied` runs once it has succeeded. */
  function apply(open: (listener: ApplyListener) => unknown, applied: () => void = () => undefined): void {
    if (applying.state === 'running') return;
    Object.assign(applying, { state: 'running', steps: [], error: null });
    open({
      chunk(progress) {
        const index = applying.steps.findIndex((step) => step.step === progress.step);
        if (index < 0) applying.steps.push(progress);
        else applying.steps[index] = progress;
      },
      end(error) {
        applying.state = error ? 'failed' : 'done';
        applying.error = error ? toWire(error) : null;
        if (!error) applied();
      },
    });
  }

  function dismiss(): void {
    if (applying.state === 'running') return;
    Object.assign(applying, { state: 'idle', steps: [], error: null });
  }

  return { applying, apply, dismiss };
}
