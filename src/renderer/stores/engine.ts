import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { EngineState, EngineStatus } from '../../main/api/engine';
import { toWire, type WireError } from '../../main/api/errors';
import { invoke, link } from '../bridge';
import { followed } from './followed';

type Action = 'start' | 'stop' | 'restart' | 'suspend';

const ALLOWED: Record<Action, EngineState[]> = {
  // Start resumes a suspended engine.
  start: ['stopped', 'error', 'suspended'],
  stop: ['starting', 'running', 'not-responding', 'error', 'suspended'],
  restart: ['running', 'not-responding', 'error'],
  suspend: ['running'],
};

/** The engine as the backend reports it: loaded once per connection, then kept current by 'engine.changed'. */
export const useEngineStore = defineStore('engine', () => {
  const { value: status, loadError, load, follow } = followed<EngineStatus | null, 'engine.changed'>(
    null,
    () => invoke('engine.status', {}),
    'engine.changed',
    (next) => next,
  );
  const actionError = ref<WireError | null>(null);
  const pending = ref<Action | null>(null);
  const lastAction = ref<Action | null>(null);

  const state = computed<EngineState | null>(() => status.value?.state ?? null);
  // Stop stays available while a start is pending: that is how a user gives up on a slow start.
  const can = (action: Action): boolean =>
    link.state === 'open' && pending.value !== action && state.value !== null && ALLOWED[action].includes(state.value);

  async function run(action: Action): Promise<void> {
    pending.value = action;
    lastAction.value = action;
    actionError.value = null;
    try {
      status.value = await invoke(`engine.${action}` as const, {});
    } catch (error) {
      const wire = toWire(error);
      // A failed start already shows as the engine's own error; say it once.
      if (wire.message !== status.value?.error?.message) actionError.value = wire;
    } finally {
      pending.value = null;
    }
  }

  return {
    status,
    state,
    loadError,
    actionError,
    pending,
    lastAction,
    follow,
    load,
    can,
    start: () => run('start'),
    stop: () => run('stop'),
    restart: () => run('restart'),
    suspend: () => run('suspend'),
    dismissError: () => (actionError.value = null),
  };
});
