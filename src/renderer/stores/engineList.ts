import { ref, watch } from 'vue';
import { toWire, type WireError } from '../../main/api/errors';
import { onOpen } from '../bridge';
import { useEngineStore } from './engine';

/**
 * What every list of engine objects shares: it loads while the engine runs, again on each
 * (re)connection and each engine start, and keeps the load's error for the view.
 */
export function useEngineList(fetch: () => Promise<void>) {
  const engine = useEngineStore();
  const loaded = ref(false);
  const loadError = ref<WireError | null>(null);

  async function load(): Promise<void> {
    if (engine.state !== 'running') return;
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
        if (state === 'running') void load();
        else loaded.value = false;
      },
    );
  }

  return { loaded, loadError, load, reloadWhenNeeded };
}
