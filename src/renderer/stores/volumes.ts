import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { VolumeSummary } from '../../main/api/volumes';
import { toWire, type WireError } from '../../main/api/errors';
import { invoke, on } from '../bridge';
import { useEngineList } from './engineList';

/** Every volume: listed once per connection and per engine start, then replaced by each 'volumes.changed'. */
export const useVolumesStore = defineStore('volumes', () => {
  const volumes = ref<VolumeSummary[]>([]);
  const { loaded, loadError, load, reloadWhenNeeded } = useEngineList(async () => {
    volumes.value = (await invoke('volumes.list', {})).volumes;
  });
  const errors = ref<WireError[]>([]);
  const notice = ref<string | null>(null);
  const query = ref('');
  let following = false;

  function follow(): void {
    if (following) return;
    following = true;
    on('volumes.changed', (next) => {
      volumes.value = next.volumes;
    });
    reloadWhenNeeded();
  }

  const shown = computed(() => {
    const needle = query.value.trim().toLowerCase();
    return needle ? volumes.value.filter((v) => v.name.toLowerCase().includes(needle)) : volumes.value;
  });

  /** Runs one call, keeping its error (with its hint) for the view. */
  async function attempt(run: () => Promise<WireError[]>): Promise<void> {
    errors.value = [];
    notice.value = null;
    try {
      errors.value = await run();
    } catch (error) {
      errors.value = [toWire(error)];
    }
  }

  const create = (name: string) =>
    attempt(async () => {
      const created = await invoke('volumes.create', name ? { name } : {});
      notice.value = `Created volume ${created.name}.`;
      return [];
    });
  const remove = (names: string[]) =>
    attempt(async () => (await invoke('volumes.remove', { names })).results.flatMap((result) => (result.error ? [result.error] : [])));
  const prune = () =>
    attempt(async () => {
      const { removed } = await invoke('volumes.prune', {});
      notice.value = removed.length ? `Removed ${removed.length} unused volume${removed.length === 1 ? '' : 's'}.` : 'No unused volumes to remove.';
      return [];
    });

  return { volumes, shown, loaded, loadError, errors, notice, query, follow, load, create, remove, prune, dismiss: () => (errors.value = []) };
});
