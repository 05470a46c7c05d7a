// `berth settings get [KEY]` and `berth settings set KEY VALUE`: the settings a user sets one by one, with
// the validation the Settings view has, and what a change takes to apply.
import { existsSync } from 'node:fs';
import { BerthError } from '../api/errors';
import type { Settings as SettingsShape } from '../api/settings';
import { connectDaemon, type DaemonConnection } from '../daemon/connect';
import { ensureHome, type HomePaths } from '../home';
import { checkKey, restartWords, setSetting, SETTING_KEYS, valueAt, type SettingKey } from '../settings/keys';
import { loadSettings, saveSettings } from '../settings/store';
import type { Settings } from '../settings/schema';

const USAGE = `Usage: berth settings get [KEY]
       berth settings set KEY VALUE

Keys:
${Object.entries(SETTING_KEYS)
  .map(([key, info]) => `  ${key.padEnd(26)} ${info.what}`)
  .join('\n')}`;

/** A value as `get` prints it: words and numbers as they are, lists as JSON. */
const shown = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const line = (settings: Settings, key: SettingKey): string => `${key} = ${shown(valueAt(settings, key))}`;

/** Keys dockerd in the VM checks before they are saved: they go through the daemon, as the Settings view's Apply does. */
const checkedInGuest = (key: SettingKey): boolean => key === 'engine.daemon' || key.startsWith('network.proxy.');

/** Saves and applies `settings` through the running daemon, printing each step as it ends. */
function applyThrough(connection: DaemonConnection, settings: SettingsShape): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.client.stream('settings.apply', { settings }, {
      chunk: (progress) => {
        if (progress.state === 'done') process.stderr.write(`  ok  ${progress.label}\n`);
      },
      end: (error) => (error ? reject(error) : resolve()),
    });
    void connection.closed.then(() => reject(new BerthError('DaemonGone', 'The Berth daemon went away.', 'Run `berth start`, then try again.')));
  });
}

export async function settingsCommand(paths: HomePaths, args: string[]): Promise<number> {
  const [sub, key, ...value] = args;
  if (sub === 'get') {
    const settings = loadSettings(paths.settings);
    if (key === undefined) {
      for (const each of Object.keys(SETTING_KEYS)) process.stdout.write(`${line(settings, checkKey(each))}\n`);
    } else {
      process.stdout.write(`${shown(valueAt(settings, checkKey(key)))}\n`);
    }
    return 0;
  }
  if (sub === 'set') {
    if (key === undefined || value.length === 0) {
      throw new BerthError('UnknownCommand', 'berth settings set needs a key and a value.', 'For example: berth settings set vm.cpus 4');
    }
    const known = checkKey(key);
    const next = setSetting(loadSettings(paths.settings), known, value.join(' '), { home: paths.home, diskExists: existsSync(paths.dataDisk) });
    if (checkedInGuest(known)) {
      const connection = await connectDaemon(paths, false);
      if (!connection) {
        throw new BerthError('EngineNotRunning', `dockerd in the VM checks ${known} before it is saved, and the engine is not running.`, 'Run `berth start`, then set it again.');
      }
      try {
        await applyThrough(connection, next);
      } finally {
        connection.close();
      }
      process.stderr.write(`${line(next, known)}: applied.\n`);
      return 0;
    }
    ensureHome(paths);
    saveSettings(paths.settings, next);
    process.stderr.write(`${line(next, known)}: ${restartWords(SETTING_KEYS[known].restarts)}.\n`);
    return 0;
  }
  if (sub === undefined || sub === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  throw new BerthError('UnknownCommand', `Unknown settings command "${sub}".`, 'Use `berth settings get [KEY]` or `berth settings set KEY VALUE`.');
}
