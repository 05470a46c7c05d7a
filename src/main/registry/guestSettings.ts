import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import { DOCKER_HUB_SERVER, PemCertificate, RegistryServer, type ApplyProgress, type RegistryCertificate, type RegistrySettings } from '../api/registry';
import { dockerConfigDir } from '../engine/context';
import { waitForEngine } from '../engine/client';
import type { SshLink } from '../tunnel/link';
import { runInGuest } from '../tunnel/guestCommand';
import { applyStep } from '../applyStep';

/** Where the docker CLI's user keeps a CA per registry, as DOCKER_CONFIG/certs.d/HOST[:PORT]/ca.crt. */
export const dockerCertsDir = (env: NodeJS.ProcessEnv): string => join(dockerConfigDir(env), 'certs.d');

/**
 * The CA certificates the user placed for the docker CLI. Docker Desktop hands them to its engine, so
 * Berth does too. A folder whose name is not a registry, or whose ca.crt is not PEM, is left out.
 */
export function dockerCertificates(env: NodeJS.ProcessEnv, log: (line: string) => void = () => undefined): RegistryCertificate[] {
  const dir = dockerCertsDir(env);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const found: RegistryCertificate[] = [];
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name, 'ca.crt'), 'utf8');
    } catch {
      continue; // no ca.crt: a folder with only a client certificate, say
    }
    const server = RegistryServer.safeParse(name);
    const ca = PemCertificate.safeParse(text);
    const named = server.success && dockerdRefuses(server.data) === null;
    if (named && ca.success) found.push({ server: server.data, ca: ca.data });
    else log(`registry certificates: ${join(dir, name, 'ca.crt')} left out: ${named ? 'not a PEM certificate' : 'the folder is not named HOST or HOST:PORT'}`);
  }
  return found;
}

/** What the engine gets: the saved settings, plus the docker CLI's CA files for servers the settings leave out. */
export function effectiveRegistrySettings(saved: RegistrySettings, env: NodeJS.ProcessEnv, log?: (line: string) => void): RegistrySettings {
  const named = new Set(saved.certificates.map((entry) => entry.server));
  const fromDocker = dockerCertificates(env, log).filter((entry) => !named.has(entry.server));
  return { certificates: [...saved.certificates, ...fromDocker], insecure: saved.insecure };
}

const validPort = (port: string | undefined): boolean => port === undefined || Number(port) <= 65535;

/** Why dockerd would not start with this entry (it refuses its whole configuration), or null. */
function dockerdRefuses(entry: string): string | null {
  if (entry === DOCKER_HUB_SERVER) return 'Docker Hub is named by its host here, such as registry-1.docker.io';
  const cidr = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(entry);
  if (cidr) {
    // Go reads an octet with a leading zero as no address at all.
    const octets = cidr.slice(1, 5).every((octet) => Number(octet) <= 255 && !/^0\d/.test(octet));
    return octets && Number(cidr[5]) <= 32 ? null : 'not an IPv4 network (each number 0-255 without leading zeros, the prefix at most 32)';
  }
  return validPort(/:(\d+)$/.exec(entry)?.[1]) ? null : 'the port is above 65535';
}

/** Refuses settings the engine would not start with, before they are saved or sent to the VM. */
export function checkRegistrySettings(settings: RegistrySettings, hint: string): void {
  const seen = new Set<string>();
  for (const { server } of settings.certificates) {
    const why = seen.has(server) ? 'it has two certificate entries' : dockerdRefuses(server);
    if (why) throw new BerthError('RegistrySettingsInvalid', `The certificate for “${server}” cannot be used: ${why}.`, hint);
    seen.add(server);
  }
  for (const entry of settings.insecure) {
    const why = dockerdRefuses(entry);
    if (why) throw new BerthError('RegistrySettingsInvalid', `The insecure registry “${entry}” cannot be used: ${why}.`, hint);
  }
}

/**
 * The settings as the guest reads them (berth-dockerd): one `insecure ENTRY` or `ca SERVER BASE64PEM`
 * per line. Every field is free of spaces, so busybox ash's `read` splits them.
 */
export function registryValues(settings: RegistrySettings): string {
  return [
    ...settings.insecure.map((entry) => `insecure ${entry}\n`),
    ...settings.certificates.map(({ server, ca }) => `ca ${server} ${Buffer.from(`${ca}\n`).toString('base64')}\n`),
  ].join('');
}

/**
 * The start values cross the emulated serial line at ~70 KB/s under TCG, and a guest restored from a snapshot
 * must take them within 10 s (start.ts), so the settings are kept to what passes in ~4 s there.
 */
export const MAX_REGISTRY_BYTES = 192 * 1024;

/** Refuses settings too large to send at start (the docker CLI's certs.d included). */
export function checkRegistrySize(settings: RegistrySettings, hint: string): void {
  const size = Buffer.byteLength(registryValues(settings));
  if (size > MAX_REGISTRY_BYTES) {
    throw new BerthError(
      'RegistrySettingsTooLarge',
      `The registry certificates add up to ${Math.ceil(size / 1024)} KB; Berth hands the VM at most ${MAX_REGISTRY_BYTES / 1024} KB of them at start.`,
      hint,
    );
  }
}

const GUEST_FILE = '/run/berth/registries';
const HINT = "The VM may be stopping or short of memory. Read the engine's log in the VM (/run/berth/dockerd.log), or restart Berth.";

/** Sends the settings to the guest and writes its certs.d from them: dockerd reads certs.d on every connection, so no restart. */
export async function syncCertificates(link: SshLink, settings: RegistrySettings): Promise<void> {
  await runInGuest(link, `cat >${GUEST_FILE}.new && mv -f ${GUEST_FILE}.new ${GUEST_FILE} && /usr/local/sbin/berth-dockerd certs`, {
    input: registryValues(settings),
    hint: HINT,
  });
}

export const APPLY_STEPS = {
  save: 'Save the settings',
  write: 'Write the registry settings into the VM',
  restart: 'Restart the engine',
  ready: 'Engine answers',
} as const;
export type ApplyStep = keyof typeof APPLY_STEPS;

export const registryStep = (step: ApplyStep, progress: (update: ApplyProgress) => void, work: () => unknown): Promise<unknown> => applyStep(APPLY_STEPS, step, progress, work);

/**
 * Writes the settings into the running guest and restarts dockerd there, so daemon.json's insecure-registries
 * take effect; done once the Docker API answers again through the host socket. Running containers stop
 * with the engine (those with a restart policy come back).
 */
export async function applyRegistrySettings(link: SshLink, settings: RegistrySettings, progress: (update: ApplyProgress) => void, docker: Docker): Promise<void> {
  await registryStep('write', progress, () => syncCertificates(link, settings));
  // dockerd waits up to its shutdown-timeout (8 s) for containers to stop, then needs a few seconds to start.
  await registryStep('restart', progress, () => runInGuest(link, '/usr/local/sbin/berth-dockerd restart', { timeoutMs: 120_000, hint: HINT }));
  await registryStep('ready', progress, () => waitForEngine(docker, 30_000));
}
