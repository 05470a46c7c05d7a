import { changedKeys, DaemonConfig, restartsFor, Settings, valueAt, withValues, type Restarts, type SettingKey } from '../../../main/api/settings';

export type TabId = 'general' | 'resources' | 'sharing' | 'network' | 'engine';

/** The tabs, in order, with the settings each shows. */
export const TABS: { id: TabId; label: string; keys: SettingKey[] }[] = [
  { id: 'general', label: 'General', keys: ['general.startAtLogin', 'general.openWindowAtStart', 'general.theme', 'general.quit'] },
  { id: 'resources', label: 'Resources', keys: ['vm.cpus', 'vm.memoryMiB', 'vm.diskGiB', 'vm.swapMiB', 'resourceSaver.idleMinutes'] },
  { id: 'sharing', label: 'File sharing', keys: ['shares'] },
  { id: 'network', label: 'Network', keys: ['vm.network', 'ports.bindAddress', 'network.proxy.http', 'network.proxy.https', 'network.proxy.noProxy', 'network.dns'] },
  { id: 'engine', label: 'Docker Engine', keys: ['engine.daemon'] },
];

/** The saved settings with one tab's keys taken from the draft: what that tab's Apply sends. */
export function withTab(saved: Settings, draft: Settings, keys: readonly SettingKey[]): Settings {
  return withValues(saved, keys.map((key) => [key, valueAt(draft, key)])) as unknown as Settings;
}

/** Each invalid field's problem, by its dotted path, as the schema words it. */
export function problemsOf(candidate: Settings): Record<string, string> {
  const parsed = Settings.safeParse(candidate);
  if (parsed.success) return {};
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) problems[issue.path.join('.')] ??= issue.message;
  return problems;
}

const ALL_KEYS = TABS.flatMap((tab) => tab.keys);

/** The labels of the tabs with changes not applied yet. */
export const changedTabs = (saved: Settings, draft: Settings): string[] =>
  TABS.filter((tab) => changedKeys(saved, withTab(saved, draft, tab.keys)).length > 0).map((tab) => tab.label);

/**
 * What Apply sends (every tab's changes: one restart serves them all), what it takes, and the words that say
 * so before the user applies, naming the tabs it applies.
 */
export function pendingChange(saved: Settings, draft: Settings): { next: Settings; changed: SettingKey[]; restarts: Restarts; note: string } {
  const next = withTab(saved, draft, ALL_KEYS);
  const changed = changedKeys(saved, next);
  const restarts = restartsFor(changed);
  if (changed.length === 0) return { next, changed, restarts, note: 'Nothing changed yet.' };
  const tabs = changedTabs(saved, draft);
  const what = `It applies the changes on ${tabs.length === 1 ? tabs[0] : `${tabs.slice(0, -1).join(', ')} and ${tabs[tabs.length - 1]}`}.`;
  const restart =
    restarts === 'nothing'
      ? 'Applying restarts nothing: it takes effect at once.'
      : restarts === 'engine'
        ? 'Applying restarts the engine in the VM: running containers stop unless they have a restart policy.'
        : 'Applying restarts the VM: running containers stop unless they have a restart policy.';
  return { next, changed, restarts, note: `${restart} ${what}` };
}

/** daemon.json as typed: the object it holds, or what is wrong with it (JSON syntax, or a key Berth owns). */
export function readDaemonJson(text: string): { config: DaemonConfig } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `Not valid JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'daemon.json is one JSON object: { … }.' };
  const checked = DaemonConfig.safeParse(parsed);
  return checked.success ? { config: checked.data } : { problem: checked.error.issues[0].message };
}

/** A list typed as text, one entry per comma (DNS servers). */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
