import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { dockerCertsDir } from './guestSettings';

const SETTLE_MS = 200;

/** The folders to watch: certs.d and each registry folder in it, or the nearest existing folder above certs.d. */
function watchedFolders(certs: string): Array<{ dir: string; only?: string }> {
  if (existsSync(certs)) {
    const inside = readdirSync(certs)
      .map((name) => join(certs, name))
      .filter((path) => {
        try {
          return statSync(path).isDirectory();
        } catch {
          return false;
        }
      });
    return [{ dir: certs }, ...inside.map((dir) => ({ dir }))];
  }
  // Not there yet: watch for it (or for DOCKER_CONFIG itself) to appear, and for nothing else there.
  let below = certs;
  let dir = dirname(certs);
  while (!existsSync(dir) && dirname(dir) !== dir) {
    below = dir;
    dir = dirname(dir);
  }
  return [{ dir, only: basename(below) }];
}

/**
 * Calls `changed` (once things settle) whenever something under DOCKER_CONFIG/certs.d may have changed:
 * a registry folder or its ca.crt added, rewritten or removed. Follows certs.d appearing and going.
 * inotify is not recursive, so each registry folder has its own watch, rebuilt after every change.
 */
export function watchDockerCertificates(env: NodeJS.ProcessEnv, changed: () => void, log: (line: string) => void = () => undefined): { stop(): void } {
  const certs = dockerCertsDir(env);
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const settle = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopped) return;
      rewatch();
      changed();
    }, SETTLE_MS);
  };
  const rewatch = (): void => {
    for (const watcher of watchers) watcher.close();
    watchers = [];
    let folders: Array<{ dir: string; only?: string }> = [];
    try {
      folders = watchedFolders(certs);
    } catch (error) {
      // certs.d went away while it was read: the folder above it sees what comes next.
      log(`registry certificates: cannot read ${certs}: ${(error as Error).message}`);
      folders = [{ dir: dirname(certs), only: basename(certs) }];
    }
    for (const { dir, only } of folders) {
      try {
        const watcher = watch(dir, (_event, name) => {
          if (only === undefined || name === null || name === only) settle();
        });
        // A watched folder that is removed ends its watch with an error: look again from what is left.
        watcher.on('error', settle);
        watchers.push(watcher);
      } catch (error) {
        log(`registry certificates: cannot watch ${dir}: ${(error as Error).message}`);
      }
    }
  };
  rewatch();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      watchers = [];
    },
  };
}
