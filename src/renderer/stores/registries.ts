import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { RequestOf } from '../../main/api/contract';
import { toWire, type WireError } from '../../main/api/errors';
import type { RegistryLogin, RegistrySettings } from '../../main/api/registry';
import { invoke, stream } from '../bridge';
import { useApplying } from './applying';
import { followed } from './followed';
import { useAttempts } from './engineList';

/**
 * The registries signed in to and what the engine trusts. Logins live on the host (config.json and the
 * credential helper), so they list without the engine; 'registry.changed' also brings a terminal's
 * `docker login`. Applying settings restarts the engine, so it is not tied to the page: leaving it does
 * not cancel a restart half done.
 */
export const useRegistriesStore = defineStore('registries', () => {
  const { value: logins, loaded, loadError, load, follow } = followed(
    [] as RegistryLogin[],
    async () => (await invoke('registry.logins', {})).logins,
    'registry.changed',
    (next) => next.logins,
  );

  /** Throws the backend's error (a wrong password, an unreachable registry) for the form to show beside itself. */
  async function signIn(request: RequestOf<'registry.signIn'>): Promise<RegistryLogin> {
    const login = await invoke('registry.signIn', request);
    // 'registry.changed' brings the whole list too; this shows the row without waiting for it.
    logins.value = [...logins.value.filter((each) => each.server !== login.server), login];
    return login;
  }

  /** Whether docker-credential-ecr-login is on the backend's PATH; null until asked. Asked each time ECR is chosen: it may have been installed since. */
  const ecrLoginInstalled = ref<boolean | null>(null);
  async function checkEcrLogin(): Promise<void> {
    ecrLoginInstalled.value = (await invoke('registry.ecrLogin', {})).installed;
  }

  /** Files an ECR registry under docker-credential-ecr-login; throws for the form, as signIn does. */
  async function useEcrLogin(server: string): Promise<void> {
    logins.value = (await invoke('registry.useEcrLogin', { server })).logins;
  }

  const { errors, notice, attempt, dismiss } = useAttempts();
  const signingOut = ref(new Set<string>());

  const signOut = (server: string) =>
    attempt(async () => {
      signingOut.value.add(server);
      try {
        logins.value = (await invoke('registry.signOut', { server })).logins;
        notice.value = `Signed out of ${server}.`;
        return [];
      } finally {
        signingOut.value.delete(server);
      }
    });

  const settings = shallowRef<RegistrySettings | null>(null);
  const settingsError = ref<WireError | null>(null);

  async function loadSettings(): Promise<void> {
    settingsError.value = null;
    try {
      settings.value = await invoke('registry.settings', {});
    } catch (error) {
      settingsError.value = toWire(error);
    }
  }

  const { applying, apply: applyThrough, dismiss: dismissApply } = useApplying();
  const apply = (next: RegistrySettings): void =>
    applyThrough(
      (listener) => stream('registry.apply', next, listener),
      () => (settings.value = next),
    );

  return {
    logins,
    loaded,
    loadError,
    errors,
    notice,
    signingOut,
    settings,
    settingsError,
    applying,
    follow,
    load,
    signIn,
    ecrLoginInstalled,
    checkEcrLogin,
    useEcrLogin,
    signOut,
    dismiss,
    loadSettings,
    apply,
    dismissApply,
  };
});
