import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../api/engine';
import { homePaths, snapshotsDir } from '../home';
import { resetHome, type Resettable } from './reset';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** A home with every kind of file a reset may or may not remove. */
function fullHome(): { paths: ReturnType<typeof homePaths>; env: NodeJS.ProcessEnv } {
  dir = mkdtempSync(join(tmpdir(), 'bt-reset-'));
  const paths = homePaths(join(dir, 'home'));
  const env = { BERTH_IMAGE_CACHE: join(dir, 'cache', 'images') };
  for (const folder of [paths.sshDir, paths.logsDir, paths.extensionsDir, join(paths.home, 'suspended'), snapshotsDir(env)]) mkdirSync(folder, { recursive: true });
  for (const file of [paths.dataDisk, paths.knownHost, paths.privateKey, paths.settings, `${paths.settings}.last-good`, paths.daemonLog, join(paths.extensionsDir, 'x'), join(snapshotsDir(env), 'a.vmstate')]) writeFileSync(file, 'x');
  return { paths, env };
}

/** An engine that records what it was asked. */
function engine(state: EngineState): Resettable & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    current: state,
    stop: async () => void calls.push('stop'),
    start: async () => void calls.push('start'),
  };
}

describe('resetHome', () => {
  it('purging the data stops the engine, removes the data disk and its pinned host key, and starts it again', async () => {
    const { paths, env } = fullHome();
    const running = engine('running');
    const done = await resetHome('data', paths, env, running);
    expect(running.calls).toEqual(['stop', 'start']);
    expect(done).toEqual({ removed: [paths.dataDisk, paths.knownHost], restarted: true });
    for (const kept of [paths.settings, paths.privateKey, paths.daemonLog, paths.extensionsDir, join(snapshotsDir(env), 'a.vmstate')]) expect(existsSync(kept)).toBe(true);
  });

  it('a factory reset removes settings, data, extensions, keys, a suspended VM and saved guests, keeps the logs, and leaves the engine stopped', async () => {
    const { paths, env } = fullHome();
    const stopped = engine('stopped');
    const done = await resetHome('all', paths, env, stopped);
    expect(stopped.calls).toEqual(['stop']);
    expect(done.restarted).toBe(false);
    for (const gone of [paths.dataDisk, paths.settings, `${paths.settings}.last-good`, paths.extensionsDir, paths.sshDir, join(paths.home, 'suspended'), join(snapshotsDir(env), 'a.vmstate')]) {
      expect(existsSync(gone), gone).toBe(false);
      expect(done.removed).toContain(gone);
    }
    expect(existsSync(paths.daemonLog)).toBe(true);
  });
});
