import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTestCa, type TestCa } from './tlsCa';

const run = promisify(execFile);

/** Debian's docker-registry package: the CNCF distribution registry. */
export const REGISTRY_BINARY = process.env.BERTH_REGISTRY ?? '/usr/bin/docker-registry';
/** Debian's apache2-utils: the registry only accepts bcrypt entries, which `htpasswd -B` writes. */
export const HTPASSWD_BINARY = '/usr/bin/htpasswd';
export const REALM = 'berth-test';

export interface RegistryOptions {
  /** HTTPS with a certificate from a throwaway CA (names: host.docker.internal, localhost, 127.0.0.1). */
  tls?: boolean;
  /** Basic auth from an htpasswd file: user name -> password. tags() signs in as the first user. */
  users?: Record<string, string>;
}

/** A registry on the host's loopback, empty at start, that the guest's engine reaches as host.docker.internal:PORT. */
export interface LocalRegistry {
  port: number;
  /**
   * How the guest names it. A plain-HTTP registry must be listed under the engine's insecure registries
   * (applyRegistrySettings); a TLS one needs its CA there, or the engine refuses its certificate.
   */
  fromGuest: string;
  /** How the host reaches it: http://127.0.0.1:PORT, or https:// with tls. */
  url: string;
  /** PEM text of the CA that signed the registry's certificate (tls only). */
  caCert?: string;
  caCertPath?: string;
  /** Repositories and their tags, as the registry's own API lists them. */
  tags(repository: string): Promise<string[]>;
  /**
   * SIGSTOP / SIGCONT: while paused the kernel still accepts connections, but nothing answers,
   * so clients see a hang (their timeout), not a refused connection.
   */
  pause(): void;
  resume(): void;
  /** Changes (or adds) a user's password; only for a registry started with `users`. */
  setPassword(user: string, password: string): Promise<void>;
  /** Stops the registry and removes its folder: config, storage, htpasswd and CA material. */
  stop(): Promise<void>;
}

export interface TlsRegistry extends LocalRegistry {
  caCert: string;
  caCertPath: string;
}

interface Answer {
  status: number;
  body: string;
}

interface Access {
  ca?: string;
  auth?: string;
  timeoutMs?: number;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A GET with node's own clients: fetch cannot be given a CA without an extra dependency. */
function get(url: string, access: Access = {}): Promise<Answer> {
  const client = url.startsWith('https:') ? https : http;
  const timeout = access.timeoutMs ?? 5000;
  // No agent: a pooled keep-alive socket would outlive stop() and pause() and blur what each request saw.
  const options: https.RequestOptions = { ca: access.ca, auth: access.auth, timeout, agent: false };
  return new Promise((resolve, reject) => {
    const request = client.get(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeout} ms`)));
    request.on('error', reject);
  });
}

/** Any HTTP answer will do: with auth, /v2/ says 401 once it is up. */
async function waitForAnswer(url: string, access: Access, deadlineMs: number, exited: () => string | null): Promise<void> {
  const until = Date.now() + deadlineMs;
  let last = 'no attempt';
  while (Date.now() < until) {
    const gone = exited();
    if (gone !== null) throw new Error(`the registry exited: ${gone}`);
    try {
      await get(url, { ...access, timeoutMs: 1000 });
      return;
    } catch (error) {
      // Refused while it starts; anything else (a TLS failure, say) is kept for the message.
      last = String(error);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the registry did not answer ${url} within ${deadlineMs} ms (last: ${last})`);
}

async function htpasswdLine(user: string, password: string): Promise<string> {
  const { stdout } = await run(HTPASSWD_BINARY, ['-Bbn', user, password]);
  // -n prints the entry followed by an empty line.
  return stdout.trim();
}

/**
 * Distribution 2.8 stats the htpasswd file on every authenticated request and reloads it when its
 * mtime changed (checked against 2.8.2+ds1), so a rewrite takes effect with no restart.
 */
async function writeHtpasswd(path: string, users: Record<string, string>): Promise<void> {
  const lines = await Promise.all(Object.entries(users).map(([user, password]) => htpasswdLine(user, password)));
  const before = existsSync(path) ? statSync(path, { bigint: true }).mtimeNs : null;
  // A rename, so the registry never reads a half-written file.
  writeFileSync(`${path}.next`, `${lines.join('\n')}\n`);
  renameSync(`${path}.next`, path);
  // Two writes within one tick of the filesystem clock would leave the mtime equal, and the old file in use.
  if (before !== null && statSync(path, { bigint: true }).mtimeNs <= before) {
    const later = new Date(Number(before / 1_000_000n) + 1000);
    utimesSync(path, later, later);
  }
}

/** YAML is a superset of JSON, so the config is written as JSON and needs no quoting rules of its own. */
function writeConfig(dir: string, port: number, ca: TestCa | undefined, htpasswd: string | undefined): string {
  const config = {
    version: '0.1',
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'storage') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, ...(ca && { tls: { certificate: ca.certPath, key: ca.keyPath } }) },
    ...(htpasswd && { auth: { htpasswd: { realm: REALM, path: htpasswd } } }),
  };
  const path = join(dir, 'config.yml');
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

function launch(config: string): { child: ChildProcess; exited: () => string | null } {
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const exited = (): string | null => {
    if (child.exitCode !== null) return `code ${child.exitCode}: ${stderr}`;
    return child.signalCode !== null ? `signal ${child.signalCode}: ${stderr}` : null;
  };
  return { child, exited };
}

async function end(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  // A paused registry would hold SIGTERM pending forever.
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  await exited;
}

/** What one started registry is made of, for the object handed to the caller. */
interface Running {
  port: number;
  url: string;
  child: ChildProcess;
  ca?: TestCa;
  /** The htpasswd file and the passwords in it, with auth only. */
  auth?: { path: string; users: Record<string, string> };
  stop(): Promise<void>;
}

function signIn(running: Running): Access {
  const users = running.auth?.users ?? {};
  const first = Object.keys(users)[0];
  return { ca: running.ca?.caCert, auth: first === undefined ? undefined : `${first}:${users[first]}` };
}

function describeRegistry(running: Running): LocalRegistry {
  const { port, url, child, ca, auth } = running;
  return {
    port,
    fromGuest: `host.docker.internal:${port}`,
    url,
    ...(ca && { caCert: ca.caCert, caCertPath: ca.caCertPath }),
    async tags(repository) {
      const answer = await get(`${url}/v2/${repository}/tags/list`, signIn(running));
      if (answer.status === 404) return [];
      if (answer.status !== 200) throw new Error(`tags of ${repository}: HTTP ${answer.status} ${answer.body}`);
      return (JSON.parse(answer.body) as { tags: string[] | null }).tags ?? [];
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async setPassword(user, password) {
      if (!auth) throw new Error('setPassword: this registry was started without users');
      auth.users[user] = password;
      await writeHtpasswd(auth.path, auth.users);
    },
    stop: running.stop,
  };
}

/** Starts the registry with its own config and storage in a temp folder, both removed by stop(). Plain HTTP, no auth, unless asked. */
export function startRegistry(options: RegistryOptions & { tls: true }): Promise<TlsRegistry>;
export function startRegistry(options?: RegistryOptions): Promise<LocalRegistry>;
export async function startRegistry(options: RegistryOptions = {}): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'bt-registry-'));
  let child: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    if (child) await end(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ca = options.tls ? await makeTestCa(join(dir, 'ca')) : undefined;
    // A copy: setPassword changes it, and the caller's object stays as given.
    const auth = options.users && { path: join(dir, 'htpasswd'), users: { ...options.users } };
    if (auth) await writeHtpasswd(auth.path, auth.users);
    const port = await freePort();
    const launched = launch(writeConfig(dir, port, ca, auth?.path));
    child = launched.child;
    const url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
    await waitForAnswer(`${url}/v2/`, { ca: ca?.caCert }, 10_000, launched.exited);
    return describeRegistry({ port, url, child, ca, auth, stop });
  } catch (error) {
    await stop();
    throw error;
  }
}
