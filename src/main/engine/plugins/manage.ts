import type Docker from 'dockerode';
import { BerthError } from '../../api/errors';
import type { PluginUsers } from '../../api/plugins';
import { refusal } from '../client';
import { pluginUsers } from './list';

/** How long the engine waits for an enabled plugin to answer on its socket before it gives up (as `docker plugin enable`). */
const ENABLE_TIMEOUT_S = 30;

const noSuchPlugin = (name: string): BerthError =>
  new BerthError('NoSuchPlugin', `There is no plugin ${name}.`, 'It may have been removed meanwhile; the Plugins view shows what is installed now.');

/** "volume a and network n use", or '' when nothing uses the driver. */
function usersText({ volumes, networks }: PluginUsers): string {
  const parts = [volumes.length ? `volume${volumes.length === 1 ? '' : 's'} ${volumes.join(', ')}` : '', networks.length ? `network${networks.length === 1 ? '' : 's'} ${networks.join(', ')}` : ''];
  const found = parts.filter(Boolean);
  return found.length ? `${found.join(' and ')} use${volumes.length + networks.length === 1 ? 's' : ''}` : '';
}

/** The engine refused because something uses the plugin's driver: its words, and who uses it when Berth can tell. */
async function inUse(docker: Docker, name: string, doing: string, said: string): Promise<BerthError> {
  const users = await pluginUsers(docker, name).catch(() => ({ volumes: [], networks: [] }));
  const who = usersText(users);
  return new BerthError(
    'PluginInUse',
    `Cannot ${doing} ${name}: ${said}${who ? ` (${who} its driver)` : ''}`,
    'Remove the volumes and networks made with its driver first (the Volumes and Networks views show each one’s driver).',
  );
}

/** The engine's refusal of `doing` on plugin `name`, said so the user knows what to change. */
async function actionError(docker: Docker, name: string, doing: string, error: unknown): Promise<BerthError> {
  const { status, said } = refusal(error);
  if (status === 404 || /not found|no such plugin/i.test(said)) return noSuchPlugin(name);
  if (/in use/i.test(said)) return inUse(docker, name, doing, said);
  if (/is enabled/i.test(said)) return new BerthError('PluginEnabled', `Cannot ${doing} ${name}: ${said}`, 'Disable it first (its Disable button).');
  if (/already (?:enabled|disabled)/i.test(said)) return new BerthError('PluginUnchanged', `${name}: ${said}`, 'The list shows its state now.');
  return new BerthError('EngineRefused', `Cannot ${doing} ${name}: ${said}`, "The engine's message says why; `docker plugin inspect` shows the plugin's settings.");
}

async function act(docker: Docker, name: string, doing: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw await actionError(docker, name, doing, error);
  }
}

/** Starts the plugin and waits until it answers on its socket. */
export function enablePlugin(docker: Docker, name: string): Promise<void> {
  return act(docker, name, 'enable', () => docker.getPlugin(name, name).enable({ timeout: ENABLE_TIMEOUT_S }));
}

/** Stops the plugin; the engine refuses while volumes or networks use its driver. */
export function disablePlugin(docker: Docker, name: string): Promise<void> {
  return act(docker, name, 'disable', () => docker.getPlugin(name, name).disable());
}

/**
 * Removes the plugin. Unforced, it is refused while volumes or networks use its driver (the engine counts
 * them too), and an enabled plugin is disabled first, as the engine will not remove one that runs; forced,
 * the engine removes it whatever uses it.
 */
export async function removePlugin(docker: Docker, name: string, force: boolean): Promise<void> {
  const plugin = docker.getPlugin(name, name);
  if (!force) {
    const { Name: full, Enabled: enabled } = await plugin.inspect().catch((error: unknown) => {
      throw refusal(error).status === 404 ? noSuchPlugin(name) : error;
    });
    const who = usersText(await pluginUsers(docker, full));
    if (who) {
      throw new BerthError(
        'PluginInUse',
        `Cannot remove ${full}: ${who} its driver.`,
        'Remove them first, or remove the plugin by force: they stay behind, and nothing can use them until the plugin is back.',
      );
    }
    if (enabled) await disablePlugin(docker, name);
  }
  await act(docker, name, 'remove', () => plugin.remove({ force }));
}
