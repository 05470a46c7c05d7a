// `berth settings get [KEY]` and `berth settings set KEY VALUE`: the settings a user sets one by one, with
// the validation the Settings view has, and what a change takes to apply.
import { existsSync } from 'node:fs';
import { BerthError } from '../api/errors';
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

export function settingsCommand(paths: HomePaths, args: string[]): number {
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
