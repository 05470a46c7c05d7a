import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { BerthError } from '../api/errors';
import type { HomePaths } from '../home';
import { listenPrivately } from '../tunnel/socket';

/** Held for the daemon's lifetime: while it is, no second daemon serves the same BERTH_HOME. */
export interface HomeLock {
  release(): void;
}

/**
 * The lock's name. On Linux an abstract socket: the kernel frees it the moment its process ends, however
 * it ends, so a crash leaves no stale lock and two daemons racing for it cannot both win. Its name comes
 * from a random key kept in run/ (the user's alone), so no other user can take it first. Elsewhere a
 * socket file in run/: a left-over one nobody answers on is cleared before it is taken.
 */
function lockAddress(paths: HomePaths): { address: string; abstract: boolean } {
  if (process.platform !== 'linux') return { address: join(paths.runDir, 'daemon.lock'), abstract: false };
  return { address: `\0berth-daemon-${lockKey(paths)}`, abstract: true };
}

/** The home's lock key, made once: written aside and linked into place, so racing daemons all read one key. */
function lockKey(paths: HomePaths): string {
  const keyFile = join(paths.runDir, 'lock.key');
  const read = (): string => readFileSync(keyFile, 'utf8').trim();
  try {
    return read();
  } catch {
    const aside = `${keyFile}.${process.pid}`;
    writeFileSync(aside, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
    try {
      linkSync(aside, keyFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(aside, { force: true });
    }
    return read();
  }
}

/** The pid the holder of the lock answers with, or null when nobody answers. */
function askHolder(address: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createConnection(address);
    let said = '';
    const done = (pid: number | null): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(2_000, () => done(null));
    socket.on('data', (chunk: Buffer) => (said += chunk.toString()));
    socket.once('end', () => done(Number(said.trim()) || null));
    socket.once('error', () => done(null));
  });
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Takes the lock of this BERTH_HOME, or says which daemon holds it. */
export async function lockHome(paths: HomePaths): Promise<HomeLock> {
  const { address, abstract } = lockAddress(paths);
  const server = createServer((socket) => socket.end(`${process.pid}\n`));
  let unlink = (): void => undefined;
  try {
    if (abstract) await listen(server, address);
    else unlink = await listenPrivately(server, address, 'daemon lock');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EADDRINUSE' && !(error instanceof BerthError && error.name === 'SocketInUse')) throw error;
    const holder = await askHolder(address);
    throw new BerthError(
      'DaemonRunning',
      `Another Berth daemon${holder ? ` (pid ${holder})` : ''} already serves ${paths.home}.`,
      'Use that one: `berth status` and the window reach it. To replace it, run `berth stop` first.',
    );
  }
  server.unref();
  return {
    release: () => {
      server.close();
      unlink();
    },
  };
}
