import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { PluginPrivilege, PluginSummary, PluginType } from '../../main/api/plugins';
import { invoke, on, stream } from '../bridge';
import { useAttempts, useWholeList } from './engineList';
import { useTransferList } from './transfers';

/** The privileges an install or upgrade asks for, shown to be granted before anything is pulled. */
export interface Grant {
  kind: 'install' | 'upgrade';
  reference: string;
  /** The plugin an upgrade replaces. */
  name: string | null;
  privileges: PluginPrivilege[];
}

/** The engine's plugins: listed once per connection and per engine start, then replaced by each 'plugins.changed'. */
export const usePluginsStore = defineStore('plugins', () => {
  const { items: plugins, loaded, loadError, load, follow } = useWholeList<PluginSummary>(
    async () => (await invoke('plugins.list', {})).plugins,
    (replace) => on('plugins.changed', (next) => replace(next.plugins)),
  );
  const { errors, notice, attempt, dismiss } = useAttempts();
  const jobs = useTransferList();
  const query = ref('');
  const granting = ref<Grant | null>(null);

  const shown = computed(() => {
    const needle = query.value.trim().toLowerCase();
    return needle ? plugins.value.filter((plugin) => plugin.name.toLowerCase().includes(needle) || plugin.types.some((type) => type.includes(needle))) : plugins.value;
  });

  /** The drivers of `type` that enabled plugins give, by name: what a create form lists beside the built-in ones. */
  const driversOf = (type: PluginType): string[] => plugins.value.filter((plugin) => plugin.enabled && plugin.types.includes(type)).map((plugin) => plugin.name);

  /** Reads what installing (or upgrading `name` to) `reference` asks for; nothing is pulled until it is granted. */
  const ask = (kind: Grant['kind'], reference: string, name: string | null = null) =>
    attempt(async () => {
      const { privileges } = await invoke('plugins.privileges', { reference });
      granting.value = { kind, reference, name, privileges };
      return [];
    });

  /** The user granted what was asked: the install (or upgrade) starts, its progress shown as a pull's. */
  function grant(enable: boolean): void {
    const asked = granting.value;
    granting.value = null;
    if (!asked) return;
    const { reference, privileges, name } = asked;
    if (asked.kind === 'install') {
      jobs.follow('install', reference, (listener) => stream('plugins.install', { reference, privileges, enable }, listener));
    } else if (name) {
      jobs.follow('upgrade', reference, (listener) => stream('plugins.upgrade', { name, reference, privileges }, listener));
    }
  }

  function refuse(): void {
    const asked = granting.value;
    granting.value = null;
    if (asked) notice.value = `${asked.kind === 'install' ? 'Nothing installed' : `${asked.name} not upgraded`}: the privileges ${asked.reference} asks for were not granted.`;
  }

  const act = (action: 'enable' | 'disable', name: string) =>
    attempt(async () => {
      await invoke(action === 'enable' ? 'plugins.enable' : 'plugins.disable', { name });
      notice.value = `${action === 'enable' ? 'Enabled' : 'Disabled'} ${name}.`;
      return [];
    });

  const remove = (name: string, force: boolean) =>
    attempt(async () => {
      await invoke('plugins.remove', { name, force });
      notice.value = `Removed ${name}.`;
      return [];
    });

  return {
    plugins,
    shown,
    loaded,
    loadError,
    errors,
    notice,
    query,
    granting,
    jobs: jobs.transfers,
    follow,
    load,
    driversOf,
    ask,
    grant,
    refuse,
    enable: (name: string) => act('enable', name),
    disable: (name: string) => act('disable', name),
    remove,
    users: (name: string) => invoke('plugins.users', { name }),
    cancelJob: jobs.cancel,
    dismissJob: jobs.dismiss,
    dismiss,
  };
});
