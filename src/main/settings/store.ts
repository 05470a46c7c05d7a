import { existsSync, readFileSync, statSync } from 'node:fs';
import { BerthError } from '../api/errors';
import { writeFileDurably } from '../durableFile';
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

/** The copy of the settings file as it was when it last loaded or saved without a fault. */
export const lastGoodPath = (path: string): string => `${path}.last-good`;

/**
 * What to do about a settings file that does not load: restore the last good copy when there is one
 * that loads, else `otherwise`.
 */
function restoreHint(path: string, otherwise: string): string {
  const copy = lastGoodPath(path);
  try {
    parseSettings(copy, readFileSync(copy, 'utf8'));
  } catch {
    return otherwise;
  }
  const saved = statSync(copy).mtime.toISOString();
  return `Restore the last good copy (saved ${saved}): cp '${copy}' '${path}'. Otherwise: ${otherwise}`;
}

/** The settings in `text`, migrated to the current version with defaults filled in; `path` names it in errors. */
function parseSettings(path: string, text: string): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
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
  const merged = deepMerge(defaultSettings(), migrated);
  // daemon.json is the user's whole: a key they removed stays removed, not filled back from the defaults.
  const engine = migrated.engine;
  if (typeof engine === 'object' && engine !== null && 'daemon' in engine) merged.engine.daemon = engine.daemon as Settings['engine']['daemon'];
  const parsed = Settings.safeParse(merged);
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

/** Keeps `text`, which just loaded or saved, as the last good copy (rewritten only when it changed). */
function keepLastGood(path: string, text: string): void {
  const copy = lastGoodPath(path);
  let kept: string | null = null;
  try {
    kept = readFileSync(copy, 'utf8');
  } catch {
    // none yet
  }
  if (kept !== text) writeFileDurably(copy, text, 0o600);
}

/**
 * Reads the settings file, migrating it to the current version and filling in defaults. A file that
 * does not load leaves the last good copy as it was, and the error's hint offers it.
 */
export function loadSettings(path: string): Settings {
  if (!existsSync(path)) return defaultSettings();
  const text = readFileSync(path, 'utf8');
  let settings: Settings;
  try {
    settings = parseSettings(path, text);
  } catch (error) {
    if (error instanceof BerthError && error.name !== 'SettingsTooNew') throw new BerthError(error.name, error.message, restoreHint(path, error.hint));
    throw error;
  }
  keepLastGood(path, text);
  return settings;
}

/** Saves the settings durably (a crash leaves the old file or the new one, whole), and keeps them as the last good copy. */
export function saveSettings(path: string, settings: Settings): void {
  const text = `${JSON.stringify(Settings.parse(settings), null, 2)}\n`;
  writeFileDurably(path, text, 0o600);
  keepLastGood(path, text);
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
