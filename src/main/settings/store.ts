import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BerthError } from '../api/errors';
import { migrate } from './migrations';
import { defaultSettings, NetworkMode, SETTINGS_VERSION, Settings } from './schema';

function deepMerge<T>(base: T, override: unknown): T {
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] =
      typeof current === 'object' && current !== null && !Array.isArray(current) ? deepMerge(current, value) : value;
  }
  return out as T;
}

/** Reads the settings file, migrating it to the current version and filling in defaults. */
export function loadSettings(path: string): Settings {
  if (!existsSync(path)) return defaultSettings();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BerthError(
      'SettingsUnreadable',
      `The settings file ${path} is not valid JSON: ${(error as Error).message}`,
      'Fix the file by hand, or move it away to start from the defaults.',
    );
  }
  let migrated: Record<string, unknown>;
  try {
    migrated = migrate(raw as Record<string, unknown>, SETTINGS_VERSION);
  } catch (error) {
    throw new BerthError('SettingsTooNew', (error as Error).message, 'Update Berth, or move the settings file away.');
  }
  const parsed = Settings.safeParse(deepMerge(defaultSettings(), migrated));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BerthError(
      'SettingsInvalid',
      `The settings file ${path} has an invalid value at ${issue.path.join('.')}: ${issue.message}`,
      'Correct that value, or remove it to use the default.',
    );
  }
  return parsed.data;
}

export function saveSettings(path: string, settings: Settings): void {
  const valid = Settings.parse(settings);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(valid, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** BERTH_NETWORK overrides the setting, so tests and benchmarks can force host-only. */
export function effectiveNetwork(settings: Settings, env = process.env): NetworkMode {
  const forced = env.BERTH_NETWORK;
  if (forced === undefined || forced === '') return settings.vm.network;
  const parsed = NetworkMode.safeParse(forced);
  if (!parsed.success) {
    throw new BerthError(
      'InvalidNetworkMode',
      `BERTH_NETWORK=${forced} is not a network mode.`,
      'Use BERTH_NETWORK=normal or BERTH_NETWORK=host-only, or unset it.',
    );
  }
  return parsed.data;
}
