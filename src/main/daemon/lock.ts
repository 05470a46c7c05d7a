import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { BerthError } from '../api/errors';
import type { HomePaths } from '../home';
import { lockAddress } from '../platform/endpoints';
import { listenNamed, listenPrivately } from '../tunnel/socket';

/** Held for the daemon's lifetime: while it is, no second daemon serves the same BERTH_HOME. */
export interface HomeLock {
  release(): void;
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

/** Takes the lock of this BERTH_HOME, or says which daemon holds it. */
export async function lockHome(paths: HomePaths): Promise<HomeLock> {
  const { address, file } = lockAddress(paths.runDir, () => lockKey(paths));
  const server = createServer((socket) => socket.end(`${process.pid}\n`));
  let unlink = (): void => undefined;
  try {
    unlink = await (file ? listenPrivately : listenNamed)(server, address, 'daemon lock');
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
