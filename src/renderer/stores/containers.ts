import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef } from 'vue';
import type { ContainerAction, ContainerSummary } from '../../main/api/containers';
import type { RunRequest } from '../../main/api/run';
import { toWire, type WireError } from '../../main/api/errors';
import { invoke, on } from '../bridge';
import { useEngineList } from './engineList';

export interface ContainerGroup {
  /** The compose project, or null for containers on their own. */
  project: string | null;
  containers: ContainerSummary[];
}

/** Which actions make sense for a container in this state. */
export function actionsFor(state: string): ContainerAction[] {
  switch (state) {
    case 'running':
      return ['stop', 'restart', 'pause', 'kill'];
    case 'paused':
      return ['unpause', 'kill'];
    case 'restarting':
      return ['stop', 'kill'];
    default:
      return ['start', 'remove'];
  }
}

/** Every container: listed once per connection and per engine start, then kept current by 'containers.changed'. */
export const useContainersStore = defineStore('containers', () => {
  // A Map keyed by id: an event replaces one row without copying the others.
  const byId = shallowRef(new Map<string, ContainerSummary>());
  const { loaded, loadError, load, reloadWhenNeeded } = useEngineList(async () => {
    const { containers } = await invoke('containers.list', {});
    byId.value = new Map(containers.map((container) => [container.id, container]));
  });
  const actionErrors = ref<WireError[]>([]);
  /** What the last run did, said on the list it lands in. */
  const notice = ref<string | null>(null);
  const busy = ref(new Set<string>());
  const query = ref('');
  let following = false;

  function follow(): void {
    if (following) return;
    following = true;
    on('containers.changed', ({ id, container }) => {
      if (container) byId.value.set(id, container);
      else byId.value.delete(id);
      triggerRef(byId);
    });
    reloadWhenNeeded();
  }

  const groups = computed<ContainerGroup[]>(() => {
    const needle = query.value.trim().toLowerCase();
    const found = [...byId.value.values()].filter(
      (c) => !needle || c.name.toLowerCase().includes(needle) || c.image.toLowerCase().includes(needle) || c.id.startsWith(needle),
    );
    found.sort((a, b) => a.name.localeCompare(b.name));
    const projects = new Map<string | null, ContainerSummary[]>();
    for (const container of found) {
      const list = projects.get(container.project) ?? [];
      list.push(container);
      projects.set(container.project, list);
    }
    return [...projects.entries()]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
      .map(([project, containers]) => ({ project, containers }));
  });

  const count = computed(() => byId.value.size);
  /** One container by its id, a prefix of it or its name, as the docker CLI takes them; undefined when there is none such. */
  const find = (id: string): ContainerSummary | undefined =>
    byId.value.get(id) ?? [...byId.value.values()].find((container) => container.name === id || (id.length >= 4 && container.id.startsWith(id)));

  async function act(ids: string[], action: ContainerAction): Promise<void> {
    if (!ids.length) return;
    for (const id of ids) busy.value.add(id);
    actionErrors.value = [];
    notice.value = null;
    try {
      const { results } = await invoke('containers.act', { ids, action });
      actionErrors.value = results.flatMap((result) => (result.error ? [result.error] : []));
    } catch (error) {
      actionErrors.value = [toWire(error)];
    } finally {
      for (const id of ids) busy.value.delete(id);
    }
  }

  /** Runs a container detached; the list shows it once the engine's events say it exists. Throws what the backend refused. */
  async function run(request: RunRequest): Promise<void> {
    const { id, name } = await invoke('containers.run', request);
    notice.value = `Started container ${name} (${id.slice(0, 12)}).`;
  }

  return { groups, count, find, loaded, loadError, actionErrors, notice, busy, query, follow, load, act, run, dismissErrors: () => (actionErrors.value = []) };
});
