import { existsSync } from 'node:fs';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import type { EngineState, EngineStatus } from '../api/engine';
import type { ApplyProgress } from '../api/registry';
import { changedKeys, restartsFor, type Restarts } from '../api/settings';
import { applyStep } from '../applyStep';
import type { HomePaths } from '../home';
import type { SshLink } from '../tunnel/link';
import { checkInGuest, engineLines, restartInGuest, writeClientProxies, writeInGuest } from './engineConfig';
import { checkChange } from './keys';
import { Settings } from './schema';
import { loadSettings, saveSettings } from './store';

export const SETTINGS_STEPS = {
  check: 'Check daemon.json with dockerd in the VM',
  save: 'Save the settings',
  proxies: "Set the containers' proxy in the docker CLI's config",
  write: "Write the engine's settings into the VM",
  engine: 'Restart the engine',
  vm: 'Restart the VM',
} as const;

/** What applying settings needs of the engine. */
export interface SettingsEngine {
  readonly current: EngineState;
  guest(): SshLink;
  docker(): Docker;
  restart(): Promise<EngineStatus>;
}

/**
 * Checks and saves the settings, then applies what changed: a changed daemon.json or proxy is first checked by
 * dockerd in the VM (refused with its words, the running engine untouched), and the engine or the VM restarts
 * when a change needs it and the engine runs. A stopped engine takes them at its next start. The registry
 * settings are the Registries view's: they stay as saved.
 */
export async function applySettings(
  request: Settings,
  where: { paths: HomePaths; env: NodeJS.ProcessEnv; engine: SettingsEngine },
  progress: (update: ApplyProgress) => void,
): Promise<Restarts> {
  const { paths, env, engine } = where;
  const saved = loadSettings(paths.settings);
  const wanted = Settings.parse({ ...request, registries: saved.registries });
  checkChange(saved, wanted, { home: paths.home, diskExists: existsSync(paths.dataDisk) });
  const changed = changedKeys(saved, wanted);
  const restarts = restartsFor(changed);
  const state = engine.current;
  if (restarts !== 'nothing' && ['starting', 'stopping', 'suspending'].includes(state)) {
    throw new BerthError('EngineBusy', `The engine is ${state}.`, 'Apply the settings again once it is running or stopped.');
  }
  const running = state === 'running';
  const lines = engineLines(wanted);
  const daemonChanged = lines !== engineLines(saved);
  if (daemonChanged) {
    if (!running) {
      throw new BerthError(
        'EngineNotRunning',
        'dockerd in the VM checks daemon.json and the proxy before they are saved, and the engine is not running.',
        'Start the engine, then apply again.',
      );
    }
    await applyStep(SETTINGS_STEPS, 'check', progress, () => checkInGuest(engine.guest(), lines));
  }
  await applyStep(SETTINGS_STEPS, 'save', progress, () => saveSettings(paths.settings, wanted));
  if (changed.some((key) => key.startsWith('network.proxy.'))) await applyStep(SETTINGS_STEPS, 'proxies', progress, () => writeClientProxies(wanted, env));
  if (!running || restarts === 'nothing') return restarts;
  if (restarts === 'vm') {
    await applyStep(SETTINGS_STEPS, 'vm', progress, () => engine.restart());
    return restarts;
  }
  if (daemonChanged) await applyStep(SETTINGS_STEPS, 'write', progress, () => writeInGuest(engine.guest(), lines));
  await applyStep(SETTINGS_STEPS, 'engine', progress, () => restartInGuest(engine.guest(), engine.docker()));
  return restarts;
}
