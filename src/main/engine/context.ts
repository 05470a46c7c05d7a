import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileDurably } from '../durableFile';
import { dockerHost } from '../platform/endpoints';

export const CONTEXT_NAME = 'berth';

export function dockerConfigDir(env = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), '.docker');
}

/**
 * Writes the `berth` docker context the way `docker context create` stores it (contexts/meta/
 * <sha256 of the name>/meta.json), pointing at Berth's socket (a named pipe on Windows). It leaves
 * /var/run/docker.sock and the current context alone.
 */
export function writeDockerContext(socketPath: string, env = process.env): string {
  const dir = join(dockerConfigDir(env), 'contexts', 'meta', createHash('sha256').update(CONTEXT_NAME).digest('hex'));
  mkdirSync(dir, { recursive: true });
  const meta = {
    Name: CONTEXT_NAME,
    Metadata: { Description: 'Berth: the engine in the Berth VM' },
    Endpoints: { docker: { Host: dockerHost(socketPath), SkipTLSVerify: false } },
  };
  const path = join(dir, 'meta.json');
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // first start
  }
  const next = `${JSON.stringify(meta)}\n`;
  if (current !== next) writeFileDurably(path, next, 0o644);
  return path;
}
