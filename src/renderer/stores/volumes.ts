import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { VolumeSummary } from '../../main/api/volumes';
import { invoke, on } from '../bridge';
import { failures, useAttempts, useWholeList } from './engineList';

/** Every volume: listed once per connection and per engine start, then replaced by each 'volumes.changed'. */
export const useVolumesStore = defineStore('volumes', () => {
  const { items: volumes, loaded, loadError, load, follow } = useWholeList<VolumeSummary>(
    async () => (await invoke('volumes.list', {})).volumes,
    (replace) => on('volumes.changed', (next) => replace(next.volumes)),
  );
  const { errors, notice, attempt, dismiss } = useAttempts();
  const query = ref('');
  const shown = computed(() => {
    const needle = query.value.trim().toLowerCase();
    return needle ? volumes.value.filter((v) => v.name.toLowerCase().includes(needle)) : volumes.value;
  });

  /** `driver` is `local` (the engine's own) or an enabled volume plugin's name. */
  const create = (name: string, driver = 'local') =>
    attempt(async () => {
      const created = await invoke('volumes.create', { ...(name && { name }), ...(driver !== 'local' && { driver }) });
      notice.value = `Created volume ${created.name}.`;
      return [];
    });
  const remove = (names: string[]) => attempt(async () => failures((await invoke('volumes.remove', { names })).results));
  const prune = () =>
    attempt(async () => {
      const { removed } = await invoke('volumes.prune', {});
      notice.value = removed.length ? `Removed ${removed.length} unused volume${removed.length === 1 ? '' : 's'}.` : 'No unused volumes to remove.';
      return [];
    });

  return { volumes, shown, loaded, loadError, errors, notice, query, follow, load, create, remove, prune, dismiss };
});
