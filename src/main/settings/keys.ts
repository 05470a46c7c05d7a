import { BerthError } from '../api/errors';
import { hostWithin, unusable } from './shares';
import { SETTING_KEYS, valueAt, withValues, type Restarts, type SettingKey } from '../api/settings';
import { Settings } from './schema';

export { SETTING_KEYS, valueAt, type SettingKey };


export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SETTING_KEYS, key);

export function checkKey(key: string): SettingKey {
  if (isSettingKey(key)) return key;
  throw new BerthError('SettingUnknown', `There is no setting "${key}".`, `Settings: ${Object.keys(SETTING_KEYS).join(', ')}.`);
}

/** `text` read as the kind of value `key` holds now: a number, true or false, a word, a list, or a JSON object. */
function parseValue(key: SettingKey, current: unknown, text: string): unknown {
  const bad = (expected: string): BerthError =>
    new BerthError('SettingInvalid', `"${text}" is not a value for ${key}: it takes ${expected}.`, `${key}: ${SETTING_KEYS[key].what}.`);
  if (typeof current === 'number') {
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) throw bad('a number');
    return number;
  }
  if (typeof current === 'boolean') {
    if (text !== 'true' && text !== 'false') throw bad('true or false');
    return text === 'true';
  }
  if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw bad(`a JSON object (${(error as Error).message})`);
    }
  }
  if (Array.isArray(current)) {
    if (text.trim().startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw bad('a JSON list such as ["/home/you"]');
      }
    }
    return text.split(',').map((entry) => entry.trim()).filter(Boolean);
  }
  return text;
}

/** Where the settings apply: Berth's home, and whether its data disk exists yet (then it only grows). */
export interface SettingsPlace {
  home: string;
  diskExists: boolean;
}

/**
 * `settings` with `key` set from `text`, checked as a whole against the schema, with the checks a single
 * value cannot make alone: a data disk only grows, and a shared folder must exist and lie outside Berth's home.
 */
export function setSetting(settings: Settings, key: SettingKey, text: string, place: SettingsPlace): Settings {
  const value = parseValue(key, valueAt(settings, key), text);
  const parsed = Settings.safeParse(withValues(settings, [[key, value]]));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.join('.');
    throw new BerthError('SettingInvalid', `${at || key} cannot be ${JSON.stringify(value)}: ${issue.message}.`, `${key}: ${SETTING_KEYS[key].what}.`);
  }
  checkChange(settings, parsed.data, place);
  return parsed.data;
}

/**
 * The checks a schema cannot make alone, from `before` to `after`: a data disk only grows, and a newly shared
 * folder must exist and lie outside Berth's home.
 */
export function checkChange(before: Settings, after: Settings, { home, diskExists }: SettingsPlace): void {
  if (diskExists && after.vm.diskGiB < before.vm.diskGiB) {
    throw new BerthError('SettingInvalid', `The data disk only grows: it is ${before.vm.diskGiB} GiB, not less.`, 'A smaller disk is a new, empty one: stop Berth, move data.img out of its home, and start again.');
  }
  for (const share of after.shares.filter((path) => !before.shares.includes(path))) {
    const problem = unusable(share) ?? (hostWithin(share, home) ? "lies inside Berth's own home" : null);
    if (problem) throw new BerthError('SettingInvalid', `The shared folder ${share} ${problem}.`, 'Share existing folders of this machine, such as your home folder.');
  }
}

/** What applying a change takes, in words. */
export function restartWords(restarts: Restarts): string {
  if (restarts === 'nothing') return 'it applies at once';
  if (restarts === 'engine') return 'it applies when the engine restarts (`berth restart`)';
  return 'it applies when the VM restarts (`berth restart`)';
}
