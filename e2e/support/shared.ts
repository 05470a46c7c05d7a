import { join } from 'node:path';
import { beforeAll, inject } from 'vitest';
import { importBusybox, testShares, type Instance } from './berth';
import { SHARED_ENV } from './global-setup';

/** The instance booted by the global setup, as seen from a test file. */
export function sharedInstance(): Instance {
  const { home, dockerConfig } = inject('shared');
  return {
    home,
    socket: join(home, 'run', 'docker.sock'),
    env: { ...process.env, BERTH_HOME: home, BERTH_NETWORK: 'host-only', BERTH_SHARES: testShares(), DOCKER_CONFIG: dockerConfig, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, ...SHARED_ENV },
  };
}

/** Imports busybox:offline into the shared instance before the file's tests, for files that run it. */
export function sharedWithBusybox(): Instance {
  const instance = sharedInstance();
  beforeAll(async () => {
    const imported = await importBusybox(instance, 'busybox:offline');
    if (imported.code !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
  });
  return instance;
}
