import { ref, shallowRef, watch } from 'vue';
import { toWire, type WireError } from '../../main/api/errors';
import { onOpen } from '../bridge';
import { useEngineStore } from './engine';

/** While the engine runs, and while it is suspended: then the backend answers the lists from what the suspend kept. */
const listable = (state: string | null): boolean => state === 'running' || state === 'suspended';

/**
 * What every list of engine objects shares: it loads while the engine runs (or is suspended), again on
 * each (re)connection and each change of the engine's state, and keeps the load's error for the view.
 */
export function useEngineList(fetch: () => Promise<void>) {
  const engine = useEngineStore();
  const loaded = ref(false);
  const loadError = ref<WireError | null>(null);

  async function load(): Promise<void> {
    if (!listable(engine.state)) return;
    try {
      await fetch();
      loaded.value = true;
      loadError.value = null;
    } catch (error) {
      loadError.value = toWire(error);
    }
  }

  /** Call once, after subscribing to the list's change event. */
  function reloadWhenNeeded(): void {
    onOpen(() => void load());
    watch(
      () => engine.state,
      (state) => {
        if (listable(state)) void load();
        else loaded.value = false;
      },
    );
  }

  return { loaded, loadError, load, reloadWhenNeeded };
}

/**
 * A list the backend sends whole whenever it changes (volumes, networks): loaded as every engine list is,
 * then replaced by each change. `subscribe` hands each new list to `replace`; `changed` runs after each.
 */
export function useWholeList<T>(fetch: () => Promise<T[]>, subscribe: (replace: (items: T[]) => void) => void, changed?: () => void) {
  const items = shallowRef<T[]>([]);
  const list = useEngineList(async () => {
    items.value = await fetch();
  });
  let following = false;

  function follow(): void {
    if (following) return;
    following = true;
    subscribe((next) => {
      items.value = next;
      changed?.();
    });
    list.reloadWhenNeeded();
  }

  return { items, loaded: list.loaded, loadError: list.loadError, load: list.load, follow };
}

/** The outcome of a list's actions, for its view: the errors (each with its hint) and a line saying what was done. */
export function useAttempts() {
  const errors = ref<WireError[]>([]);
  const notice = ref<string | null>(null);

  /** Runs one action; `run` answers the errors of the items that failed, and may set the notice. */
  async function attempt(run: () => Promise<WireError[]>): Promise<void> {
    errors.value = [];
    notice.value = null;
    try {
      errors.value = await run();
    } catch (error) {
      errors.value = [toWire(error)];
    }
  }

  return { errors, notice, attempt, dismiss: () => (errors.value = []) };
}

/** The errors among per-item results. */
export const failures = (results: { error: WireError | null }[]): WireError[] => results.flatMap((result) => (result.error ? [result.error] : []));
