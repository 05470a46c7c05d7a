import { createPinia, setActivePinia } from 'pinia';
import { computed, nextTick } from 'vue';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContainerChange, ContainerSummary } from '../../main/api/containers';

let listed: ContainerSummary[] = [];
const listeners = new Map<string, (payload: unknown) => void>();
vi.mock('../bridge', () => ({
  link: { state: 'open' },
  invoke: async (channel: string) => (channel === 'containers.list' ? { containers: listed } : null),
  on: (channel: string, listener: (payload: unknown) => void) => listeners.set(channel, listener),
  onOpen: () => undefined,
}));
const { isExtensionProject, useContainersStore } = await import('./containers');
const { projectOf } = await import('../../main/extensions/backend');
const { useEngineStore } = await import('./engine');

const row = (name: string, project: string | null, state = 'running'): ContainerSummary => ({
  id: `id-${name}`,
  name,
  image: 'busybox',
  command: 'sleep',
  state,
  status: state,
  created: 1,
  project,
  ports: [],
  findings: null,
});
const change = (payload: ContainerChange) => listeners.get('containers.changed')!(payload);

async function loadedStore() {
  setActivePinia(createPinia());
  useEngineStore().status = { state: 'running' } as never;
  listed = [row('web', 'shop'), row('solo', null), row('db', 'shop')];
  const store = useContainersStore();
  store.follow();
  await store.load();
  return store;
}

describe('the containers store', () => {
  beforeEach(() => listeners.clear());

  it('groups the rows by compose project, each by name, the containers on their own last', async () => {
    const store = await loadedStore();
    expect(store.groups).toEqual([
      { project: 'shop', ids: ['id-db', 'id-web'] },
      { project: null, ids: ['id-solo'] },
    ]);
  });

  it('changes one row without changing the groups when only its state changed', async () => {
    const store = await loadedStore();
    const groups = store.groups;
    const shown = computed(() => store.row('id-web')?.state);
    expect(shown.value).toBe('running');
    change({ id: 'id-web', container: row('web', 'shop', 'exited') });
    await nextTick();
    expect(shown.value).toBe('exited');
    expect(store.groups).toBe(groups);
    expect(store.find('web')?.state).toBe('exited');
  });

  it('regroups when a container comes, goes, or moves to another project', async () => {
    const store = await loadedStore();
    change({ id: 'id-api', container: row('api', 'shop') });
    change({ id: 'id-solo', container: null });
    change({ id: 'id-db', container: row('db', 'bank') });
    await nextTick();
    expect(store.groups).toEqual([
      { project: 'bank', ids: ['id-db'] },
      { project: 'shop', ids: ['id-api', 'id-web'] },
    ]);
    expect(store.count).toBe(3);
    expect(store.find('solo')).toBeUndefined();
  });

  it('finds rows by search in names, images and id prefixes', async () => {
    const store = await loadedStore();
    store.query = 'WE';
    expect(store.groups).toEqual([{ project: 'shop', ids: ['id-web'] }]);
    store.query = 'id-so';
    expect(store.groups).toEqual([{ project: null, ids: ['id-solo'] }]);
  });

  it("hides extension backends' containers until asked to show them", async () => {
    const store = await loadedStore();
    const backend = projectOf('0123456789abcdef');
    change({ id: 'id-ext', container: row('ext', backend) });
    await nextTick();
    expect(store.groups.map((group) => group.project)).toEqual(['shop', null]);
    expect(store.hidden).toBe(1);
    expect(store.count).toBe(4);
    expect(store.find('ext')?.project).toBe(backend);
    store.showExtensions = true;
    expect(store.groups.map((group) => group.project)).toEqual([backend, 'shop', null]);
    expect(store.hidden).toBe(0);
    // A project of the user's own that only looks alike stays in view.
    expect(isExtensionProject('berth-ext-mine')).toBe(false);
  });

  it('lists only containers with findings when asked, following their findings as they are read', async () => {
    const store = await loadedStore();
    const groups = store.groups;
    const root = [{ id: 'root' as const, detail: 'user root' }];
    change({ id: 'id-web', container: { ...row('web', 'shop'), findings: [] } });
    change({ id: 'id-solo', container: { ...row('solo', null), findings: root } });
    await nextTick();
    // Unfiltered, findings coming in leave the table's shape as it was.
    expect(store.groups).toBe(groups);
    store.withFindings = true;
    expect(store.groups).toEqual([{ project: null, ids: ['id-solo'] }]);
    change({ id: 'id-solo', container: { ...row('solo', null), findings: [] } });
    await nextTick();
    expect(store.groups).toEqual([]);
    change({ id: 'id-db', container: { ...row('db', 'shop'), findings: root } });
    await nextTick();
    expect(store.groups).toEqual([{ project: 'shop', ids: ['id-db'] }]);
    expect(store.row('id-db')?.findings).toEqual(root);
    change({ id: 'id-db', container: { ...row('db', 'shop'), findings: [] } });
    await nextTick();
    expect(store.groups).toEqual([]);
    store.withFindings = false;
    expect(store.groups.flatMap((group) => group.ids)).toEqual(['id-db', 'id-web', 'id-solo']);
  });

  it('updates a row already drawn when the whole list is loaded again', async () => {
    const store = await loadedStore();
    const shown = computed(() => store.row('id-web')?.state);
    expect(shown.value).toBe('running');
    listed = [row('web', 'shop', 'paused')];
    await store.load();
    expect(shown.value).toBe('paused');
    expect(store.row('id-db')).toBeUndefined();
    expect(store.count).toBe(1);
  });
});
