import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import type { RegistryLogin } from '../api/registry';
import { dockerConfigDir } from '../engine/context';
import { listLogins } from './logins';

/**
 * Follows the logins, whoever changes them: `docker login` and `docker logout` rewrite config.json (by
 * rename, so the folder is watched, not the file), and the window's sign-in and sign-out call refresh.
 * `changed` gets the list each time it differs from the last one sent.
 */
export function watchLogins(
  env: NodeJS.ProcessEnv,
  changed: (logins: RegistryLogin[]) => void,
  log: (line: string) => void,
): { refresh(): Promise<RegistryLogin[]>; stop(): void } {
  const dir = dockerConfigDir(env);
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const refresh = async (): Promise<RegistryLogin[]> => {
    const logins = await listLogins(env);
    const text = JSON.stringify(logins);
    if (text !== last) {
      last = text;
      changed(logins);
    }
    return logins;
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Several events come with one rewrite; the list is read once they settle.
    watcher = watch(dir, (_event, name) => {
      if (name !== null && name !== 'config.json') return;
      clearTimeout(timer);
      timer = setTimeout(() => void refresh().catch((error: Error) => log(`registry logins: ${error.message}`)), 150);
    });
    watcher.on('error', (error) => log(`registry logins: watching ${dir} failed: ${error.message}`));
  } catch (error) {
    log(`registry logins: cannot watch ${dir}: ${(error as Error).message}`);
  }
  return {
    refresh,
    stop: () => {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
