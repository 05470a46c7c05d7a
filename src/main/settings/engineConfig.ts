import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import { waitForEngine } from '../engine/client';
import { updateDockerConfig } from '../registry/dockerConfig';
import type { SshLink } from '../tunnel/link';
import { runInGuest } from '../tunnel/guestCommand';
import type { Settings } from './schema';

/**
 * The engine's part of the settings as daemon.json entries: the user's keys, and the proxy for the engine's
 * pulls. Berth's own keys (vm/rootfs/etc/berth/daemon.json) and the insecure registries join them in the VM.
 */
export function daemonEntries(settings: Settings): Record<string, unknown> {
  const { http, https, noProxy } = settings.network.proxy;
  const proxies = { ...(http && { 'http-proxy': http }), ...(https && { 'https-proxy': https }), ...(noProxy && { 'no-proxy': noProxy }) };
  return { ...settings.engine.daemon, ...(Object.keys(proxies).length > 0 && { proxies }) };
}

/**
 * The entries as the guest reads them (berth-dockerd): one `"key": value` per line, each value compact JSON,
 * so busybox ash can tell the keys that replace its own by their line.
 */
export const engineLines = (settings: Settings): string =>
  Object.entries(daemonEntries(settings))
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}\n`)
    .join('');

const HINT = "Correct daemon.json (Settings, Docker Engine) and apply again; the engine runs on with the one it has.";

/** Has dockerd in the guest check the daemon.json these lines make, with the flags it runs with; refuses it with dockerd's own words. */
export async function checkInGuest(link: SshLink, lines: string): Promise<void> {
  try {
    await runInGuest(link, '/usr/local/sbin/berth-dockerd check', { input: lines, hint: HINT });
  } catch (error) {
    if (!(error instanceof BerthError) || error.name !== 'GuestCommandFailed') throw error;
    const said = /in the VM: ([\s\S]*)$/.exec(error.message)?.[1]?.trim();
    throw new BerthError('DaemonConfigInvalid', `dockerd refuses this daemon.json: ${said ?? error.message}`, HINT);
  }
}

const RESTART_HINT = "Read the engine's log in the VM (berth diagnose gathers it), or restart Berth.";

/** Writes the lines into the guest for every later launch of dockerd. */
export async function writeInGuest(link: SshLink, lines: string): Promise<void> {
  await runInGuest(link, 'cat >/run/berth/engine.new && mv -f /run/berth/engine.new /run/berth/engine', { input: lines, hint: RESTART_HINT });
}

/** Restarts dockerd in the guest with what it was last given; done once the Docker API answers through the host socket. */
export async function restartInGuest(link: SshLink, docker: Docker): Promise<void> {
  // dockerd waits up to its shutdown-timeout (8 s) for containers to stop, then needs a few seconds to start.
  await runInGuest(link, '/usr/local/sbin/berth-dockerd restart', { timeoutMs: 120_000, hint: RESTART_HINT });
  await waitForEngine(docker, 30_000);
}

/**
 * The containers' proxy, where the docker CLI reads it and passes it into each container it creates
 * (config.json `proxies.default`, as Docker documents). With no proxy set, that entry goes.
 */
export function writeClientProxies(settings: Settings, env: NodeJS.ProcessEnv): void {
  const { http, https, noProxy } = settings.network.proxy;
  const wanted = { ...(http && { httpProxy: http }), ...(https && { httpsProxy: https }), ...(noProxy && { noProxy }) };
  updateDockerConfig(env, (config) => {
    const proxies = typeof config.proxies === 'object' && config.proxies !== null ? { ...(config.proxies as Record<string, unknown>) } : {};
    if (Object.keys(wanted).length > 0) proxies.default = wanted;
    else if ('default' in proxies) delete proxies.default;
    else return false;
    if (Object.keys(proxies).length > 0) config.proxies = proxies;
    else delete config.proxies;
  });
}
