import { BerthError } from '../api/errors';
import { RegistrySettings, type ApplyProgress } from '../api/registry';
import { loadSettings, saveSettings } from '../settings/store';
import type { GuestRegistries } from './guestRegistries';
import { registryStep, checkRegistrySettings, checkRegistrySize, dockerCertsDir, effectiveRegistrySettings } from './guestSettings';

/**
 * Saves the registry settings and, while the engine runs (`running`: its guest's registries), writes them
 * into the VM; dockerd restarts when its insecure registries change. While the engine is stopped they are
 * only saved: the next start brings them. Refused while the engine starts.
 */
export async function applyRegistrySettings(
  settings: RegistrySettings,
  where: { settingsFile: string; env: NodeJS.ProcessEnv; starting: boolean; running: GuestRegistries | null },
  progress: (update: ApplyProgress) => void,
): Promise<void> {
  const wanted = RegistrySettings.parse(settings);
  checkRegistrySettings(wanted, 'Correct that entry and apply again.');
  checkRegistrySize(effectiveRegistrySettings(wanted, where.env), `Remove certificates, here or from ${dockerCertsDir(where.env)}, and apply again.`);
  if (where.starting) {
    throw new BerthError('AlreadyStarting', 'Berth is starting the engine.', 'Apply the settings again once the engine runs.');
  }
  await registryStep('save', progress, () => saveSettings(where.settingsFile, { ...loadSettings(where.settingsFile), registries: wanted }));
  if (where.running) await where.running.apply(wanted, progress);
}
