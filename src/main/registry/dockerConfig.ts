import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BerthError } from '../api/errors';
import { writeFileDurably } from '../durableFile';
import { dockerConfigDir } from '../engine/context';

/** One `auths` entry. Berth writes only empty ones; `auth` (base64 user:password) is what an older docker login left. */
export interface AuthEntry {
  auth?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

/**
 * The docker CLI's config.json. Berth owns only credsStore and its own `auths` entries; every other
 * key (proxies, contexts, plugins, a user's credHelpers) goes back to disk exactly as it was read.
 */
export interface DockerConfig {
  credsStore?: string;
  credHelpers?: Record<string, string>;
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  return join(dockerConfigDir(env), 'config.json');
}

function unreadable(path: string, why: string): BerthError {
  return new BerthError(
    'DockerConfigUnreadable',
    `The docker CLI's config file ${path} ${why}.`,
    `Fix ${path} by hand (it must be one JSON object), or move it away so Berth and docker start from an empty one.`,
  );
}

export function readDockerConfig(env: NodeJS.ProcessEnv): DockerConfig {
  const path = dockerConfigPath(env);
  if (!existsSync(path)) return {};
  const text = readFileSync(path, 'utf8');
  // The docker CLI treats an empty file as an empty config, so Berth does too.
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw unreadable(path, `is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unreadable(path, 'is not a JSON object');
  return parsed as DockerConfig;
}

/**
 * Reads config.json, lets `change` edit it in place, and writes it back whole and durably (durableFile),
 * so docker never reads half a file, not even after a crash. A symlinked config.json (dotfile managers) is
 * written through to its target, as the docker CLI does, instead of being replaced by a plain file.
 */
export function updateDockerConfig(env: NodeJS.ProcessEnv, change: (config: DockerConfig) => void | boolean): DockerConfig {
  const config = readDockerConfig(env);
  // A change that returns false found nothing to do: the file is left as it is, not rewritten.
  if (change(config) === false) return config;
  let path = dockerConfigPath(env);
  if (existsSync(path)) path = realpathSync(path);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileDurably(path, `${JSON.stringify(config, null, '\t')}\n`, 0o600);
  return config;
}

export function credsStore(config: DockerConfig): string | undefined {
  return typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined;
}

export function credHelpers(config: DockerConfig): Record<string, string> {
  const helpers = config.credHelpers;
  if (typeof helpers !== 'object' || helpers === null) return {};
  return Object.fromEntries(Object.entries(helpers).filter(([, name]) => typeof name === 'string' && name !== ''));
}

/** Sets (or, with undefined, removes) the helper one server's logins go to, leaving the other servers' as they are. */
export function setCredHelper(config: DockerConfig, server: string, helper: string | undefined): void {
  const next = { ...credHelpers(config) };
  if (helper === undefined) delete next[server];
  else next[server] = helper;
  if (Object.keys(next).length > 0) config.credHelpers = next;
  else delete config.credHelpers;
}

/**
 * Helpers that keep no password: asked for one, they fetch a fresh token from their cloud (ecr-login from the
 * AWS credentials). A credHelpers entry naming one is a login by itself, and storing or erasing through it does nothing.
 */
const SELF_SIGNING = new Set(['ecr-login']);

export function signsInItself(helper: string | undefined): boolean {
  return helper !== undefined && SELF_SIGNING.has(helper);
}

function auths(config: DockerConfig): Record<string, AuthEntry> {
  const entries = config.auths;
  return typeof entries === 'object' && entries !== null && !Array.isArray(entries) ? entries : {};
}

/** Sets (or, with undefined, removes) one `auths` entry, leaving the others as they are. */
export function setAuthEntry(config: DockerConfig, server: string, entry: AuthEntry | undefined): void {
  const next = { ...auths(config) };
  if (entry === undefined) delete next[server];
  else next[server] = entry;
  config.auths = next;
}

/** The server names config.json has an `auths` entry for, as written there. */
export function authServers(config: DockerConfig): string[] {
  return Object.keys(auths(config));
}

export function authEntry(config: DockerConfig, server: string): AuthEntry | undefined {
  const entry = auths(config)[server];
  return typeof entry === 'object' && entry !== null ? entry : undefined;
}
