import { defineStore } from 'pinia';
import { watch } from 'vue';
import type { Settings, SettingsState } from '../../main/api/settings';
import { invoke, stream } from '../bridge';
import { useApplying } from './applying';
import { followed } from './followed';

/**
 * Berth's settings as saved, kept current by 'settings.changed' (another window, the CLI's next apply), and
 * applying a changed set. The theme follows them at once: the root element carries the one chosen.
 */
export const useSettingsStore = defineStore('settings', () => {
  const { value: state, loaded, loadError, load, follow } = followed(
    null as SettingsState | null,
    () => invoke('settings.get', {}),
    'settings.changed',
    (next) => next,
  );
  const { applying, apply: applyThrough, dismiss } = useApplying();

  /** Saves `settings` whole and applies what changed; the state comes back with 'settings.changed'. */
  function apply(settings: Settings): void {
    applyThrough((listener) => stream('settings.apply', { settings }, listener), () => void load());
  }

  watch(
    () => state.value?.settings.general.theme,
    (theme) => {
      if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
      else delete document.documentElement.dataset.theme;
    },
  );

  return { state, loaded, loadError, load, follow, applying, apply, dismiss };
});
