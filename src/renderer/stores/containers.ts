import { defineStore } from 'pinia';
import { computed, ref, shallowRef, triggerRef, type ShallowRef } from 'vue';
import type { ContainerAction, ContainerSummary } from '../../main/api/containers';
import type { RunRequest } from '../../main/api/run';
import { toWire, type WireError } from '../../main/api/errors';
import { invoke, on } from '../bridge';
import { useEngineList } from './engineList';

export interface ContainerGroup {
  /** The compose project, or null for containers on their own. */
  project: string | null;
  /** Its containers' ids, by name; each row reads its container with `row(id)`. */
  ids: string[];
}

/** Whether its posture, once read, found anything. */
export const hasFindings = (container: ContainerSummary): boolean => Boolean(container.findings?.length);

/** What a row is sorted, grouped and found by: a change to anything else redraws that row alone. */
const sameShape = (a: ContainerSummary, b: ContainerSummary): boolean => a.name === b.name && a.image === b.image && a.project === b.project;

// A collator compares far faster than localeCompare, which sets one up per call; the order is the same.
const byName = new Intl.Collator().compare;

/**
 * An extension backend's container: the daemon runs each backend as the compose project berth-ext-<key>
 * (src/main/extensions/backend.ts). The Containers view hides them unless asked, as Docker Desktop does.
 */
export const isExtensionProject = (project: string | null): boolean => project !== null && /^berth-ext-[0-9a-f]{16}$/.test(project);

/** Each action as its buttons say it. */
export const ACTION_LABELS: Record<ContainerAction, string> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  pause: 'Pause',
  unpause: 'Unpause',
  kill: 'Kill',
  remove: 'Remove',
};

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

/**
 * Every container: listed once per connection and per engine start, then kept current by 'containers.changed'.
 * Each row sits in its own shallow ref, so that an event (a container stopping, say) redraws its row alone;
 * `shapes` holds what the table's shape depends on (which rows, their names, images and projects) and
 * changes only when that does.
 */
export const useContainersStore = defineStore('containers', () => {
  const rows = new Map<string, ShallowRef<ContainerSummary>>();
  const shapes = shallowRef(new Map<string, ContainerSummary>());
  /** Counts the loads: a view starts drawing afresh when the whole list was replaced. */
  const generation = ref(0);
  const { loaded, loadError, load, reloadWhenNeeded } = useEngineList(async () => {
    const { containers } = await invoke('containers.list', {});
    // A row drawn before keeps its ref (its view reads that one), now holding the new answer.
    const listed = new Set(containers.map((container) => container.id));
    for (const id of rows.keys()) if (!listed.has(id)) rows.delete(id);
    for (const container of containers) put(container);
    shapes.value = new Map(containers.map((container) => [container.id, container]));
    generation.value += 1;
  });
  const actionErrors = ref<WireError[]>([]);
  /** What the last run did, said on the list it lands in. */
  const notice = ref<string | null>(null);
  const busy = ref(new Set<string>());
  const query = ref('');
  /** Whether extension backends' containers are listed. */
  const showExtensions = ref(false);
  /** Whether only containers with security findings are listed. */
  const withFindings = ref(false);
  let following = false;

  function put(container: ContainerSummary): void {
    const kept = rows.get(container.id);
    if (kept) kept.value = container;
    else rows.set(container.id, shallowRef(container));
  }

  function follow(): void {
    if (following) return;
    following = true;
    on('containers.changed', ({ id, container }) => {
      if (container) put(container);
      else rows.delete(id);
      const shape = shapes.value.get(id);
      if (container && shape && sameShape(shape, container)) {
        // Findings come in one container at a time once the engine starts: they regroup the table only while it is filtered by them.
        if (hasFindings(shape) === hasFindings(container)) return;
        shapes.value.set(id, container);
        if (withFindings.value) triggerRef(shapes);
        return;
      }
      if (container) shapes.value.set(id, container);
      else if (!shapes.value.delete(id)) return;
      triggerRef(shapes);
    });
    reloadWhenNeeded();
  }

  const groups = computed<ContainerGroup[]>(() => {
    const needle = query.value.trim().toLowerCase();
    const found = [...shapes.value.values()].filter(
      (c) =>
        (showExtensions.value || !isExtensionProject(c.project)) &&
        (!withFindings.value || hasFindings(c)) &&
        (!needle || c.name.toLowerCase().includes(needle) || c.image.toLowerCase().includes(needle) || c.id.startsWith(needle)),
    );
    found.sort((a, b) => byName(a.name, b.name));
    const projects = new Map<string | null, string[]>();
    for (const container of found) {
      const ids = projects.get(container.project) ?? [];
      ids.push(container.id);
      projects.set(container.project, ids);
    }
    return [...projects.entries()]
      .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : byName(a, b)))
      .map(([project, ids]) => ({ project, ids }));
  });

  const count = computed(() => shapes.value.size);
  /** How many extension containers the list leaves out while they are hidden. */
  const hidden = computed(() => (showExtensions.value ? 0 : [...shapes.value.values()].filter((c) => isExtensionProject(c.project)).length));
  /** One container's row as it is now, read from its own ref: a view that reads it is redrawn when that row changes, and only then. */
  const row = (id: string): ContainerSummary | undefined => rows.get(id)?.value;
  /** One container by its id, a prefix of it or its name, as the docker CLI takes them; undefined when there is none such. */
  const find = (id: string): ContainerSummary | undefined => {
    const found = shapes.value.has(id) ? id : [...shapes.value.values()].find((c) => c.name === id || (id.length >= 4 && c.id.startsWith(id)))?.id;
    return found === undefined ? undefined : row(found);
  };

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

  return { groups, count, hidden, showExtensions, withFindings, row, find, generation, loaded, loadError, actionErrors, notice, busy, query, follow, load, act, run, dismissErrors: () => (actionErrors.value = []) };
});
