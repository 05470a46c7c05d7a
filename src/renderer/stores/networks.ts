import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { NetworkSummary } from '../../main/api/networks';
import type { RequestOf } from '../../main/api/contract';
import { toWire, type WireError } from '../../main/api/errors';
import { invoke, on } from '../bridge';
import { failures, useAttempts, useWholeList } from './engineList';

/** The network a details panel shows: its inspect answer, kept current while the panel is open. */
export interface Inspected {
  name: string;
  network: Record<string, unknown> | null;
  error: WireError | null;
}

/** Every network: listed once per connection and per engine start, then replaced by each 'networks.changed'. */
export const useNetworksStore = defineStore('networks', () => {
  const inspected = ref<Inspected | null>(null);
  const { items: networks, loaded, loadError, load, follow } = useWholeList<NetworkSummary>(
    async () => (await invoke('networks.list', {})).networks,
    (replace) => on('networks.changed', (next) => replace(next.networks)),
    // Attachments change what inspect says: the open panel asks again.
    () => inspected.value && void inspect(inspected.value.name),
  );
  const { errors, notice, attempt, dismiss } = useAttempts();
  const query = ref('');

  const shown = computed(() => {
    const needle = query.value.trim().toLowerCase();
    if (!needle) return networks.value;
    return networks.value.filter((n) => n.name.toLowerCase().includes(needle) || n.driver.includes(needle) || n.subnets.some((s) => s.includes(needle)));
  });

  async function inspect(name: string): Promise<void> {
    if (inspected.value?.name !== name) inspected.value = { name, network: null, error: null };
    try {
      const { network } = await invoke('networks.inspect', { name });
      if (inspected.value?.name === name) inspected.value = { name, network, error: null };
    } catch (error) {
      if (inspected.value?.name === name) inspected.value = { name, network: null, error: toWire(error) };
    }
  }

  const create = (request: RequestOf<'networks.create'>) =>
    attempt(async () => {
      await invoke('networks.create', request);
      notice.value = `Created network ${request.name}.`;
      return [];
    });
  const remove = (names: string[]) => attempt(async () => failures((await invoke('networks.remove', { names })).results));

  return {
    networks,
    shown,
    loaded,
    loadError,
    errors,
    notice,
    query,
    inspected,
    follow,
    load,
    create,
    remove,
    inspect,
    closeInspect: () => (inspected.value = null),
    dismiss,
  };
});
