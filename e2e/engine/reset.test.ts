import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, docker, importBusybox, newInstance, status } from '../support/berth';

const instance = newInstance();
const settingsFile = join(instance.home, 'settings.json');

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
});

describe('berth reset', () => {
  it('asks first, and without a yes removes nothing', async () => {
    const refused = await berth(instance, ['reset', '--all']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Reset to factory defaults');
    expect(refused.stderr).toContain('Nothing was removed.');
    expect(refused.stderr).toContain('--yes');
  });

  it('purging the data gives a fresh data disk and keeps the settings; a factory reset makes the next start a first start', async () => {
    expect((await berth(instance, ['settings', 'set', 'resourceSaver.idleMinutes', '0'])).code).toBe(0);
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
    expect((await importBusybox(instance, 'busybox:offline')).code).toBe(0);
    expect((await docker(instance, ['volume', 'create', 'reset-kept'])).code).toBe(0);

    const purged = await berth(instance, ['reset', '--data', '--yes']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stderr).toContain(join(instance.home, 'data.img'));
    expect(purged.stderr).toContain('The engine runs again, on a fresh data disk.');
    expect((await status(instance)).state).toBe('running');
    expect((await docker(instance, ['images', '-q'])).stdout.trim()).toBe('');
    expect((await docker(instance, ['volume', 'ls', '-q'])).stdout).not.toContain('reset-kept');
    expect(JSON.parse(readFileSync(settingsFile, 'utf8')).resourceSaver.idleMinutes).toBe(0);

    const reset = await berth(instance, ['reset', '--all', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect((await status(instance)).state).toBe('stopped');
    expect(existsSync(settingsFile)).toBe(false);
    expect((await berth(instance, ['settings', 'get', 'resourceSaver.idleMinutes'])).stdout).toBe('5\n');
    // Keep the rest of the suite's engines awake: Resource Saver's default would put this one to sleep.
    expect((await berth(instance, ['settings', 'set', 'resourceSaver.idleMinutes', '0'])).code).toBe(0);
    const first = await berth(instance, ['start']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/ok +SSH key pair .*made a new key pair/);
    expect(first.stderr).toMatch(/ok +Data disk .*new, formatted by the guest/);
    // The saved guests went too: this start boots.
    expect(first.stderr).toMatch(/ok +Boot the VM/);
    expect(first.stderr).not.toContain('restored from a snapshot');
  });
});
