// Clean / Purge data, and Reset to factory defaults: what goes, and in which order.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineState } from '../api/engine';
import type { ResetDone, ResetScope } from '../api/troubleshoot';
import { snapshotsDir, type HomePaths } from '../home';
import { lastGoodPath } from '../settings/store';
import { suspendFiles } from '../vm/suspended';

/** What a reset needs of the engine. */
export interface Resettable {
  readonly current: EngineState;
  stop(): Promise<unknown>;
  start(): Promise<unknown>;
}

/**
 * Stops the engine (a suspended one gives its saved VM up), then removes the data disk, and with `all` the
 * settings, extensions, SSH keys and this machine's saved guests. Logs and diagnostics stay, and so do
 * registry logins (they live in the credential helper). A purge of the data starts the engine again when
 * it was up; a factory reset leaves it stopped, for the next start to be a first start.
 */
export async function resetHome(what: ResetScope, paths: HomePaths, env: NodeJS.ProcessEnv, engine: Resettable): Promise<ResetDone> {
  const wasUp = engine.current === 'running' || engine.current === 'not-responding' || engine.current === 'suspended';
  await engine.stop();
  const removed: string[] = [];
  const remove = (path: string): void => {
    if (!existsSync(path)) return;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  };
  remove(paths.dataDisk);
  // The guest's host key lived on that disk: the next one is new, and pinned anew.
  remove(paths.knownHost);
  if (what === 'all') {
    remove(paths.settings);
    remove(lastGoodPath(paths.settings));
    remove(paths.extensionsDir);
    remove(paths.sshDir);
    remove(suspendFiles(paths.home).dir);
    const snapshots = snapshotsDir(env);
    if (existsSync(snapshots)) for (const name of readdirSync(snapshots)) remove(join(snapshots, name));
  }
  const restarted = what === 'data' && wasUp;
  if (restarted) await engine.start();
  return { removed, restarted };
}
