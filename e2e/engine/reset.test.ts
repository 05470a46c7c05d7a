import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, docker, importBusybox, newInstance, status } from '../support/berth';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { ownCache } from '../support/ownCache';

// Its own cache: the factory reset removes the saved guests of this instance's cache, not those the suite's
// other instances restore, and none that another instance saves meanwhile can make its first start a restore.
const cache = ownCache();
const instance = newInstance(cache.env);
const settingsFile = join(instance.home, 'settings.json');
const dataDisk = join(instance.home, 'data.img');
let dashboard: Dashboard | undefined;

afterAll(async () => {
  await dashboard?.close();
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
  cache.remove();
});

/** How many times the engine came up in this instance's life. */
const startsSoFar = (): number => readFileSync(join(instance.home, 'logs', 'daemon.log'), 'utf8').split('engine starting -> running').length - 1;

describe('berth reset, from the CLI and from the Troubleshoot view', () => {
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

    dashboard = await openDashboard(instance, '#/troubleshoot', (opened) => opened.getByRole('button', { name: 'Clean / Purge data', exact: true }));
    const page: Page = dashboard.page;
    const button = (name: string) => page.getByRole('main').getByRole('button', { name, exact: true });
    const said = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });

    await button('Clean / Purge data').click();
    await page.getByRole('dialog', { name: 'Purge data?' }).getByRole('button', { name: 'Purge data', exact: true }).click();
    await said('The engine runs again, on a fresh data disk.').waitFor({ timeout: 300_000 });
    expect(await said('The engine runs again').innerText()).toContain(dataDisk);
    expect((await status(instance)).state).toBe('running');
    expect((await docker(instance, ['images', '-q'])).stdout.trim()).toBe('');
    expect((await docker(instance, ['volume', 'ls', '-q'])).stdout).not.toContain('reset-kept');
    expect(JSON.parse(readFileSync(settingsFile, 'utf8')).resourceSaver.idleMinutes).toBe(0);

    const starts = startsSoFar();
    await button('Restart').click();
    await said(/^The engine runs again\.$/).waitFor({ timeout: 300_000 });
    expect(startsSoFar()).toBe(starts + 1);
    expect((await status(instance)).state).toBe('running');

    await button('Reset to factory defaults').click();
    await page.getByRole('dialog', { name: 'Reset to factory defaults?' }).getByRole('button', { name: 'Reset', exact: true }).click();
    await said('its next start is a first start').waitFor({ timeout: 120_000 });
    expect(await said('its next start is a first start').innerText()).toContain(settingsFile);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect((await status(instance)).state).toBe('stopped');
    expect(existsSync(settingsFile)).toBe(false);
    expect(existsSync(dataDisk)).toBe(false);
    expect((await berth(instance, ['settings', 'get', 'resourceSaver.idleMinutes'])).stdout).toBe('5\n');

    // The CLI's factory reset, on the stopped engine: the setting made since goes too.
    expect((await berth(instance, ['settings', 'set', 'resourceSaver.idleMinutes', '1'])).code).toBe(0);
    const reset = await berth(instance, ['reset', '--all', '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toContain(`Removed: ${settingsFile}`);
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
