import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { ContractClient } from '../api/client';
import { BerthError } from '../api/errors';
import { ensureHome, type HomePaths } from '../home';
import { appRoot } from '../vm/image';
import { onJsonLines, writeJsonLine } from './lines';

export interface DaemonConnection {
  client: ContractClient;
  close(): void;
  closed: Promise<void>;
}

function dial(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      // The daemon counts and tells a connection once it has written: this empty line, before any call.
      socket.write('\n');
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Starts the daemon detached, so the engine outlives the command or window that asked for it. */
export function spawnDaemon(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): void {
  ensureHome(paths);
  const log = openSync(paths.daemonLog, 'a', 0o600);
  const child = spawn(process.execPath, [join(appRoot(), 'out', 'main', 'cli.js'), 'daemon'], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...env, BERTH_HOME: paths.home, ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}) },
  });
  child.unref();
}

/** Connects to the daemon of this BERTH_HOME, starting it first when `spawnIfMissing`. */
export async function connectDaemon(paths: HomePaths, spawnIfMissing: boolean): Promise<DaemonConnection | null> {
  let socket: Socket | null = await dial(paths.controlSocket).catch(() => null);
  if (!socket && spawnIfMissing) {
    spawnDaemon(paths);
    const until = Date.now() + 15_000;
    while (!socket && Date.now() < until) {
      await new Promise((done) => setTimeout(done, 10));
      socket = await dial(paths.controlSocket).catch(() => null);
    }
    if (!socket) {
      throw new BerthError('DaemonUnreachable', 'The Berth daemon did not come up.', `Read ${paths.daemonLog}.`);
    }
  }
  if (!socket) return null;
  const live = socket;
  const client = new ContractClient((frame) => writeJsonLine(live, frame));
  onJsonLines(live, (frame) => client.receive(frame as never));
  const closed = new Promise<void>((resolve) =>
    live.once('close', () => {
      client.fail(new BerthError('DaemonGone', 'The Berth daemon went away.', `Read ${paths.daemonLog}.`));
      resolve();
    }),
  );
  live.on('error', () => live.destroy());
  return { client, close: () => live.end(), closed };
}
