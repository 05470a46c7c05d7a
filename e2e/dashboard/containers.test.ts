import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe(`the Containers view, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  const names: string[] = [];

  const row = (name: string) => page.getByRole('row', { name, exact: true });
  const runDetached = async (name: string): Promise<void> => {
    names.push(name);
    const run = await docker(instance, ['run', '-d', '--name', name, '--stop-timeout', '1', 'busybox:offline', 'sleep', '600']);
    expect(run.stderr).toBe('');
  };

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '', (opened) => opened.getByRole('heading', { name: 'Containers' }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    if (names.length) await docker(instance, ['rm', '-f', ...names]);
  });

  it('shows a container made by the docker CLI within 1 s, without a reload', async () => {
    const name = `ui-cli-${Date.now()}`;
    await page.getByRole('table').or(page.getByRole('status')).first().waitFor({ timeout: 20_000 });
    await runDetached(name);
    const appeared = Date.now();
    await row(name).waitFor({ timeout: 1000 });
    expect(Date.now() - appeared).toBeLessThanOrEqual(1000);
    await page.locator(`tr[aria-label="${name}"][data-state="running"]`).waitFor({ timeout: 2000 });
    expect(await row(name).innerText()).toContain('busybox:offline');
    await screenshot(page, 'containers');
  });

  it('stops, starts, kills and removes a container from its row', async () => {
    const name = `ui-act-${Date.now()}`;
    await runDetached(name);
    await row(name).waitFor({ timeout: 5000 });

    await row(name).getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator(`tr[aria-label="${name}"][data-state="exited"]`).waitFor({ timeout: 20_000 });
    expect((await docker(instance, ['inspect', '--format', '{{.State.Status}}', name])).stdout.trim()).toBe('exited');

    await row(name).getByRole('button', { name: 'Start', exact: true }).click();
    await page.locator(`tr[aria-label="${name}"][data-state="running"]`).waitFor({ timeout: 20_000 });

    await row(name).getByRole('button', { name: 'Kill', exact: true }).click();
    await page.locator(`tr[aria-label="${name}"][data-state="exited"]`).waitFor({ timeout: 20_000 });

    await row(name).getByRole('button', { name: 'Remove', exact: true }).click();
    await row(name).waitFor({ state: 'detached', timeout: 10_000 });
    expect((await docker(instance, ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}'])).stdout.trim()).toBe('');
  });

  it('explains, with a hint, why a running container cannot be removed', async () => {
    const name = `ui-busy-${Date.now()}`;
    await runDetached(name);
    await row(name).waitFor({ timeout: 5000 });
    await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
    await page.getByRole('toolbar').getByRole('button', { name: 'Remove', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: name });
    await alert.waitFor({ timeout: 10_000 });
    expect(await alert.innerText()).toContain('Stop or kill it first, then remove it.');
    expect(await row(name).getAttribute('data-state')).toBe('running');
  });

  it('finds a container by search', async () => {
    const name = `ui-find-${Date.now()}`;
    await runDetached(name);
    await row(name).waitFor({ timeout: 5000 });
    await page.getByRole('searchbox', { name: 'Search containers' }).fill(name);
    expect(await page.locator('tbody tr[aria-label]').count()).toBe(1);
    await page.getByRole('searchbox', { name: 'Search containers' }).fill('no-such-container-here');
    await page.getByRole('status').filter({ hasText: 'No container matches' }).waitFor({ timeout: 2000 });
    await page.getByRole('searchbox', { name: 'Search containers' }).fill('');
  });
});
