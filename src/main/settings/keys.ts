import { BerthError } from '../api/errors';
import { isWithin, unusable } from './shares';
import { Settings } from './schema';

/** What a changed setting takes to apply: nothing (it is read as it is used), the engine in the VM, or the VM. */
export type Restarts = 'nothing' | 'engine' | 'vm';

interface KeyInfo {
  restarts: Restarts;
  /** What the value is, as `berth settings` lists it. */
  what: string;
}

/** The settings a user sets one by one (`berth settings set`, the Settings view), by their dotted path. */
export const SETTING_KEYS = {
  'vm.cpus': { restarts: 'vm', what: 'CPUs the VM has (1-64)' },
  'vm.memoryMiB': { restarts: 'vm', what: 'memory the VM has, in MiB (512 or more)' },
  'vm.diskGiB': { restarts: 'vm', what: 'the data disk size, in GiB (it only grows)' },
  'vm.network': { restarts: 'vm', what: 'normal, or host-only (containers reach only the host)' },
  'ports.bindAddress': { restarts: 'vm', what: 'the host address published ports listen on (127.0.0.1 by default)' },
  shares: { restarts: 'vm', what: 'the host folders the VM sees at the same path (a JSON list, or paths separated by commas)' },
  'registries.insecure': { restarts: 'engine', what: 'registries reached over plain HTTP or with an unchecked certificate (a JSON list, or host:port separated by commas)' },
  'resourceSaver.idleMinutes': { restarts: 'nothing', what: 'idle minutes before Resource Saver suspends the engine (0 turns it off)' },
} as const satisfies Record<string, KeyInfo>;

export type SettingKey = keyof typeof SETTING_KEYS;

export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SETTING_KEYS, key);

export function checkKey(key: string): SettingKey {
  if (isSettingKey(key)) return key;
  throw new BerthError('SettingUnknown', `There is no setting "${key}".`, `Settings: ${Object.keys(SETTING_KEYS).join(', ')}.`);
}

/** The value at a dotted path. */
export function valueAt(settings: Settings, key: SettingKey): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], settings);
}

function withValue(settings: Settings, key: SettingKey, value: unknown): Record<string, unknown> {
  const copy = structuredClone(settings) as Record<string, unknown>;
  const parts = key.split('.');
  const parent = parts.slice(0, -1).reduce((at, part) => at[part] as Record<string, unknown>, copy);
  parent[parts[parts.length - 1]] = value;
  return copy;
}

/** `text` read as the kind of value `key` holds now: a number, a word, or a list. */
function parseValue(key: SettingKey, current: unknown, text: string): unknown {
  const bad = (expected: string): BerthError =>
    new BerthError('SettingInvalid', `"${text}" is not a value for ${key}: it takes ${expected}.`, `${key}: ${SETTING_KEYS[key].what}.`);
  if (typeof current === 'number') {
    const number = Number(text);
    if (text.trim() === '' || !Number.isFinite(number)) throw bad('a number');
    return number;
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
export function setSetting(settings: Settings, key: SettingKey, text: string, { home, diskExists }: SettingsPlace): Settings {
  const value = parseValue(key, valueAt(settings, key), text);
  const parsed = Settings.safeParse(withValue(settings, key, value));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue.path.join('.');
    throw new BerthError('SettingInvalid', `${at || key} cannot be ${JSON.stringify(value)}: ${issue.message}.`, `${key}: ${SETTING_KEYS[key].what}.`);
  }
  const next = parsed.data;
  if (diskExists && next.vm.diskGiB < settings.vm.diskGiB) {
    throw new BerthError('SettingInvalid', `The data disk only grows: it is ${settings.vm.diskGiB} GiB, not less.`, 'A smaller disk is a new, empty one: stop Berth, move data.img out of its home, and start again.');
  }
  for (const share of key === 'shares' ? next.shares : []) {
    const problem = unusable(share) ?? (isWithin(share, home) ? "lies inside Berth's own home" : null);
    if (problem) throw new BerthError('SettingInvalid', `The shared folder ${share} ${problem}.`, 'Share existing folders of this machine, such as your home folder.');
  }
  return next;
}

/** What applying a change takes, in words. */
export function restartWords(restarts: Restarts): string {
  if (restarts === 'nothing') return 'it applies at once';
  if (restarts === 'engine') return 'it applies when the engine restarts (`berth restart`)';
  return 'it applies when the VM restarts (`berth restart`)';
}
