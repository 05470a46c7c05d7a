import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's docker-registry package: the CNCF distribution registry. */
export const REGISTRY_BINARY = process.env.BERTH_REGISTRY ?? '/usr/bin/docker-registry';

/** A registry on the host's loopback, empty at start, that the guest's engine reaches as host.docker.internal:PORT. */
export interface LocalRegistry {
  port: number;
  /** How the guest names it: the engine accepts plain HTTP from this host (daemon.json insecure-registries). */
  fromGuest: string;
  /** Repositories and their tags, as the registry's own API lists them. */
  tags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForHttp(url: string, deadlineMs: number, exited: () => string | null): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const gone = exited();
    if (gone !== null) throw new Error(`the registry exited: ${gone}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the registry did not answer ${url} within ${deadlineMs} ms`);
}

/** Starts the registry with its own config and storage in a temp folder, both removed by stop(). */
export async function startRegistry(): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'bt-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: true } }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'storage'))} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/v2/`, 10_000, () => (child.exitCode !== null ? `code ${child.exitCode}: ${stderr}` : null));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    port,
    fromGuest: `host.docker.internal:${port}`,
    async tags(repository) {
      const answer = await fetch(`${base}/v2/${repository}/tags/list`);
      if (answer.status === 404) return [];
      return ((await answer.json()) as { tags: string[] | null }).tags ?? [];
    },
    stop,
  };
}
