import { watch } from 'node:fs';
import { basename } from 'node:path';
import type { CallName, EventName, PayloadOf, StreamName } from '../api/contract';
import type { Handlers } from '../api/dispatch';
import type { SettingsState } from '../api/settings';
import type { StreamHandlers } from '../api/streams';
import type { HomePaths } from '../home';
import { dataDiskFile } from '../vm/disk';
import { applySettings, type SettingsEngine } from './apply';
import { loadSettings } from './store';

type Prefixed = `settings.${string}`;
export type SettingsCalls = Pick<Handlers, Extract<CallName, Prefixed>>;
export type SettingsStreams = Pick<StreamHandlers, Extract<StreamName, Prefixed>>;

export interface SettingsServices {
  engine: SettingsEngine;
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  broadcast<E extends EventName>(channel: E, payload: PayloadOf<E>): void;
}

/** Settings an environment variable overrides for the daemon's whole run. */
const OVERRIDES = [
  { key: 'vm.network', variable: 'BERTH_NETWORK' },
  { key: 'shares', variable: 'BERTH_SHARES' },
];

/** The settings domain's channels: the settings as the view shows them, and applying a changed set. */
export function settingsChannels({ engine, paths, env, log, broadcast }: SettingsServices): { calls: SettingsCalls; streams: SettingsStreams } {
  const state = async (): Promise<SettingsState> => ({
    settings: loadSettings(paths.settings),
    home: paths.home,
    dataDisk: await dataDiskFile(paths.dataDisk),
    overridden: OVERRIDES.filter(({ variable }) => (env[variable] ?? '') !== ''),
  });
  // Whoever saves them (an apply, `berth settings set`, a hand edit), the windows and the tray hear of it.
  // The file is replaced by a rename, so its folder is what is watched.
  let timer: NodeJS.Timeout | undefined;
  const name = basename(paths.settings);
  watch(paths.home, (_event, changed) => {
    if (changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      state().then(
        (now) => broadcast('settings.changed', now),
        (error: Error) => log(`settings changed but do not load: ${error.message}`),
      );
    }, 200);
  }).unref();
  return {
    calls: { 'settings.get': state },
    streams: {
      'settings.apply': async ({ settings }, session) => {
        const restarts = await applySettings(settings, { paths, env, engine }, session.send);
        log(`settings applied (${restarts === 'nothing' ? 'nothing restarted' : `the ${restarts === 'vm' ? 'VM' : 'engine'} restarted when running`})`);
      },
    },
  };
}
