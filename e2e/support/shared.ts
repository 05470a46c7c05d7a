import { join } from 'node:path';
import { inject } from 'vitest';
import { testShares, type Instance } from './berth';
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
