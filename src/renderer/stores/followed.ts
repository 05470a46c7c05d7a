import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import type { EventName, PayloadOf } from '../../main/api/contract';
import { toWire, type WireError } from '../../main/api/errors';
import { on, onOpen } from '../bridge';

export interface Followed<T> {
  value: ShallowRef<T>;
  loaded: Ref<boolean>;
  loadError: Ref<WireError | null>;
  load(): Promise<void>;
  /** Loads whenever the carrier (re)connects and keeps `value` from `event` after; calling it again does nothing. */
  follow(): void;
}

/**
 * State the backend owns and announces (the engine's status, registry logins, installed extensions): read
 * once the window connects, then kept current by the backend's event, whether the engine runs or not.
 */
export function followed<T, E extends EventName>(initial: T, read: () => Promise<T>, event: E, fromEvent: (payload: PayloadOf<E>) => T): Followed<T> {
  const value = shallowRef(initial) as ShallowRef<T>;
  const loaded = ref(false);
  const loadError = ref<WireError | null>(null);
  let following = false;

  async function load(): Promise<void> {
    try {
      value.value = await read();
      loaded.value = true;
      loadError.value = null;
    } catch (error) {
      loadError.value = toWire(error);
    }
  }

  function follow(): void {
    if (following) return;
    following = true;
    on(event, (payload) => {
      value.value = fromEvent(payload);
      loaded.value = true;
    });
    onOpen(() => void load());
  }

  return { value, loaded, loadError, load, follow };
}
