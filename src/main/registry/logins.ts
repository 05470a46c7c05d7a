import { helperErase, helperGet, helperList, helperStore } from './credentialHelper';
import {
  authEntry,
  authServers,
  credHelpers,
  credsStore,
  DockerConfig,
  readDockerConfig,
  setAuthEntry,
  setCredHelper,
  signsInItself,
  updateDockerConfig,
} from './dockerConfig';
import { chooseHelper } from './helperChoice';

/** The key docker login files Docker Hub under, in config.json and in every credential helper. */
export const DOCKER_HUB = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// A helper entry with this username holds an identity token (an OAuth refresh token), not a password.
export const TOKEN_USERNAME = '<token>';

export interface Login {
  server: string;
  username: string;
  /** A helper that signs in by itself (credHelpers), in place of a stored password. */
  helper?: string;
}

/** The Engine API's AuthConfig, as X-Registry-Auth carries it. */
export interface RegistryCredentials {
  username: string;
  password: string;
  serveraddress: string;
  identitytoken?: string;
}

/** A server name as the docker CLI keys it: Docker Hub's URL, otherwise host[:port] without scheme or path. */
export function normalizeServer(server: string): string {
  let host = server.trim();
  if (host.includes('://')) {
    try {
      const url = new URL(host);
      if (url.hostname !== '') host = url.host;
    } catch {
      // not a URL after all: cut at the first slash like any other name
    }
  }
  host = host.split('/')[0];
  return host === '' || HUB_HOSTS.has(host.toLowerCase()) ? DOCKER_HUB : host;
}

/** The config.json keys that name `server`: older docker logins wrote https://host and the like. */
function keysFor(config: DockerConfig, server: string): string[] {
  return authServers(config).filter((key) => normalizeServer(key) === server);
}

function helperFor(config: DockerConfig, server: string): string | undefined {
  return credHelpers(config)[server] ?? credsStore(config);
}

/** user:password from an `auth` field an older docker login wrote in plain text. */
function plaintextLogin(config: DockerConfig, key: string): { username: string; password: string } | undefined {
  const auth = authEntry(config, key)?.auth;
  if (typeof auth !== 'string' || auth === '') return undefined;
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Every server signed in to: config.json's `auths`, whatever the credsStore helper holds, and the helpers that sign in by themselves. */
export async function listLogins(env: NodeJS.ProcessEnv): Promise<Login[]> {
  const config = readDockerConfig(env);
  const logins = new Map<string, Login>();
  const add = (server: string, username: string) => {
    const key = normalizeServer(server);
    if (!logins.get(key)?.username) logins.set(key, { server: key, username });
  };
  for (const key of authServers(config)) add(key, plaintextLogin(config, key)?.username ?? '');
  const store = credsStore(config);
  if (store !== undefined) {
    for (const [server, username] of Object.entries(await helperList(store, env))) {
      add(server, username === TOKEN_USERNAME ? '' : username);
    }
  }
  // docker asks credHelpers before anything stored, so such a helper is how the server is signed in to.
  for (const [server, helper] of Object.entries(credHelpers(config))) {
    const key = normalizeServer(server);
    if (signsInItself(helper)) logins.set(key, { server: key, username: '', helper });
  }
  return [...logins.values()].sort((a, b) => a.server.localeCompare(b.server));
}

/**
 * Signs in the way docker login does with a helper: the secret goes to the helper, and config.json
 * gets credsStore and an empty `auths` entry. Plain-text entries for the same server go, since they
 * would hold an older password.
 */
export async function storeLogin(
  env: NodeJS.ProcessEnv,
  login: { server: string; username: string; secret: string },
): Promise<Login> {
  const server = normalizeServer(login.server);
  const named = credHelpers(readDockerConfig(env))[server];
  // A helper that signs in by itself stores nothing: a password typed in for its server takes its place.
  const dedicated = signsInItself(named) ? undefined : named;
  const helper = dedicated ?? (await chooseHelper(env));
  // Some helpers (pass) keep one entry per username and answer with the first: another user's entry goes first.
  const held = await helperGet(helper, env, server);
  if (held && held.username !== login.username) await helperErase(helper, env, server);
  await helperStore(helper, env, { serverURL: server, username: login.username, secret: login.secret });
  updateDockerConfig(env, (config) => {
    if (dedicated === undefined) config.credsStore = helper;
    if (named !== dedicated) setCredHelper(config, server, undefined);
    for (const key of keysFor(config, server)) setAuthEntry(config, key, undefined);
    setAuthEntry(config, server, {});
  });
  return { server, username: login.username };
}

/** Signs out: the helper forgets the server under every name it holds it, and config.json's entries go. */
export async function eraseLogin(env: NodeJS.ProcessEnv, server: string): Promise<void> {
  const key = normalizeServer(server);
  const config = readDockerConfig(env);
  const dedicated = credHelpers(config)[key];
  if (signsInItself(dedicated)) {
    // It holds nothing to erase: signing out is no longer naming it.
    updateDockerConfig(env, (current) => {
      setCredHelper(current, key, undefined);
      for (const entry of keysFor(current, key)) setAuthEntry(current, entry, undefined);
    });
    return;
  }
  const helper = dedicated ?? credsStore(config);
  if (helper !== undefined) {
    const held = dedicated !== undefined ? [key] : Object.keys(await helperList(helper, env)).filter((url) => normalizeServer(url) === key);
    for (const url of held) await helperErase(helper, env, url);
  }
  if (keysFor(config, key).length === 0) return;
  updateDockerConfig(env, (current) => {
    for (const entry of keysFor(current, key)) setAuthEntry(current, entry, undefined);
  });
}

/**
 * What to send a registry for `server`, the way the docker CLI finds it: credHelpers[server], else
 * credsStore, and the plain-text `auth` an older docker login may have left. Null when signed out.
 */
export async function credentialsFor(env: NodeJS.ProcessEnv, server: string): Promise<RegistryCredentials | null> {
  const serveraddress = normalizeServer(server);
  const config = readDockerConfig(env);
  const helper = helperFor(config, serveraddress);
  if (helper !== undefined) {
    const held = await helperGet(helper, env, serveraddress);
    if (held?.username === TOKEN_USERNAME) return { username: '', password: '', serveraddress, identitytoken: held.secret };
    if (held) return { username: held.username, password: held.secret, serveraddress };
  }
  for (const key of [serveraddress, ...keysFor(config, serveraddress)]) {
    const plain = plaintextLogin(config, key);
    if (plain) return { ...plain, serveraddress };
    const token = authEntry(config, key)?.identitytoken;
    if (typeof token === 'string' && token !== '') return { username: '', password: '', serveraddress, identitytoken: token };
  }
  return null;
}
