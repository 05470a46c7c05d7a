import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe(`the Volumes view, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  const stamp = Date.now();
  const containers: string[] = [];

  const row = (name: string) => page.getByRole('row', { name, exact: true });
  const volumeExists = async (name: string) => (await docker(instance, ['volume', 'inspect', name])).code === 0;

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '#/volumes', (opened) => opened.getByRole('button', { name: 'Create', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    if (containers.length) await docker(instance, ['rm', '-f', ...containers]);
  });

  it('creates a volume from the form, and shows one made by the CLI without a reload', async () => {
    const fromUi = `ui-vol-${stamp}`;
    await page.getByRole('textbox', { name: 'Name' }).fill(fromUi);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await row(fromUi).waitFor({ timeout: 5000 });
    await page.getByRole('status').filter({ hasText: `Created volume ${fromUi}.` }).waitFor({ timeout: 5000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await volumeExists(fromUi)).toBe(true);

    const fromCli = `cli-vol-${stamp}`;
    expect((await docker(instance, ['volume', 'create', fromCli])).code).toBe(0);
    await row(fromCli).waitFor({ timeout: 2000 });
    await screenshot(page, 'volumes');
  });

  it('refuses a bad name in the form, saying what a name may hold', async () => {
    await page.getByRole('textbox', { name: 'Name' }).fill('-bad name');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Use letters, digits' }).waitFor({ timeout: 2000 });
    expect(await page.getByRole('textbox', { name: 'Name' }).getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('textbox', { name: 'Name' }).fill('');
  });

  it('names the containers using a volume, and explains why it cannot be removed', async () => {
    const volume = `used-vol-${stamp}`;
    const name = `vol-user-${stamp}`;
    containers.push(name);
    expect((await docker(instance, ['run', '-d', '--name', name, '-v', `${volume}:/data`, 'busybox:offline', 'sleep', '600'])).code).toBe(0);
    await row(volume).filter({ hasText: name }).waitFor({ timeout: 5000 });
    await row(volume).getByRole('button', { name: 'Remove', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: volume });
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toContain('Remove the containers that use it first');
    expect(await volumeExists(volume)).toBe(true);
  });

  it('removes a volume from its row, and prunes the unused ones after asking', async () => {
    const doomed = `ui-vol-${stamp}`;
    await row(doomed).getByRole('button', { name: 'Remove', exact: true }).click();
    await row(doomed).waitFor({ state: 'detached', timeout: 5000 });
    expect(await volumeExists(doomed)).toBe(false);

    const unused = `cli-vol-${stamp}`;
    const used = `used-vol-${stamp}`;
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Prune', exact: true }).click();
    await row(unused).waitFor({ state: 'detached', timeout: 10_000 });
    expect(await volumeExists(unused)).toBe(false);
    expect(await volumeExists(used)).toBe(true);
  });
});
