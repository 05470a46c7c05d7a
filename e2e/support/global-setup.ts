import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { SETTINGS_VERSION } from '../../src/main/settings/schema';
import { berth, importBusybox, newInstance, repoRoot, writeSettings, type Instance } from './berth';

declare module 'vitest' {
  export interface ProvidedContext {
    shared: { home: string; dockerConfig: string };
  }
}

/** What the shared instance adds to a default one: a second way into its guest, for support/guest.ts. */
export const SHARED_ENV = { BERTH_TEST_SSH_TCP: '1' };

let instance: Instance | null = null;

/**
 * Boots the one VM the engine tests share, host-only, with a busybox image made offline, and its sshd on TCP
 * port 22 for the tests that open a second SSH connection (support/guest.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  instance = newInstance(SHARED_ENV);
  // The test files decide when the shared engine sleeps (suspend.test.ts), never the time between them.
  writeSettings(instance, { version: SETTINGS_VERSION, resourceSaver: { idleMinutes: 0 } });
  const started = await berth(instance, ['start']);
  if (started.code !== 0) throw new Error(`berth start failed:\n${started.stderr}`);
  const imported = await importBusybox(instance, 'busybox:offline');
  if (imported.code !== 0) throw new Error(`docker import failed:\n${imported.stderr}`);
  project.provide('shared', { home: instance.home, dockerConfig: instance.env.DOCKER_CONFIG! });
}

export async function teardown(): Promise<void> {
  if (!instance) return;
  await berth(instance, ['stop']);
  // Its logs outlive it: a file that failed on the shared VM is read from them after the run.
  const logs = join(instance.home, 'logs');
  if (existsSync(logs)) cpSync(logs, join(repoRoot, 'test-results', 'shared-instance-logs'), { recursive: true });
  rmSync(instance.home, { recursive: true, force: true });
}
