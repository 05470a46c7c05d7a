import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { expectSoundBundle, plantSecrets } from '../support/diagnostics';
import { sharedInstance } from '../support/shared';
import { inWindow } from '../support/window';

const instance = sharedInstance();

describe(`the Troubleshoot view, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;

  const button = (name: string) => page.getByRole('main').getByRole('button', { name, exact: true });

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '#/troubleshoot', (opened) => opened.getByRole('button', { name: 'Get diagnostics', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
  });

  it('gathers diagnostics, shows the bundle and what it holds, with no secret in it', async () => {
    plantSecrets(instance.home);
    await button('Get diagnostics').click();
    const path = page.getByTestId('diagnostics-path');
    await path.waitFor({ timeout: 60_000 });
    // The browser session's own token is a secret too.
    const files = await expectSoundBundle(await path.innerText(), dashboard!.served ? [dashboard!.served.token] : []);
    const listed = await page.getByRole('list', { name: 'Files in the bundle' }).getByRole('listitem').allInnerTexts();
    expect(listed).toEqual([...files.keys()]);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('follows the daemon log as it grows, and its search finds and marks a line', async () => {
    const log = page.getByRole('log', { name: 'Daemon log' });
    await log.getByText('engine starting -> running').first().waitFor({ timeout: 10_000 });
    const marker = `troubleshoot-view-marker-${Date.now()}`;
    appendFileSync(join(instance.home, 'logs', 'daemon.log'), `${new Date().toISOString()} ${marker} written by the test\n`);
    await log.getByText(marker).waitFor({ timeout: 5000 });

    const search = page.getByRole('searchbox', { name: 'Search the log' });
    await search.fill(marker.toUpperCase());
    await page.getByRole('status').filter({ hasText: /^1 of \d+ lines match$/ }).waitFor({ timeout: 2000 });
    expect(await log.locator('.line').count()).toBe(1);
    expect(await log.locator('mark').allInnerTexts()).toEqual([marker]);
    await search.fill('');

    await page.getByRole('button', { name: 'VM console log', exact: true }).click();
    const console = page.getByRole('log', { name: 'VM console log' });
    // The guest's init reports on the serial console when its engine is ready.
    await console.getByText('berth: ready').first().waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Daemon log', exact: true }).click();
    await log.getByText(marker).waitFor({ timeout: 5000 });
    await screenshot(page, 'troubleshoot');
  });

  it('asks before purging the data or resetting, and a cancel removes nothing', async () => {
    await button('Clean / Purge data').click();
    const purge = page.getByRole('dialog', { name: 'Purge data?' });
    expect(await purge.innerText()).toContain('Every image, container and volume goes');
    await purge.getByRole('button', { name: 'Cancel' }).click();
    await purge.waitFor({ state: 'detached' });

    await button('Reset to factory defaults').click();
    const reset = page.getByRole('dialog', { name: 'Reset to factory defaults?' });
    expect(await reset.innerText()).toContain('Registry logins stay');
    await page.keyboard.press('Escape');
    await reset.waitFor({ state: 'detached' });

    expect(existsSync(join(instance.home, 'data.img'))).toBe(true);
    expect((await docker(instance, ['image', 'inspect', 'busybox:offline'])).code).toBe(0);
  });
});
