import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe(`the Networks view, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard;
  let page: Page;
  const stamp = Date.now();
  const fromUi = `ui-net-${stamp}`;
  const fromCli = `cli-net-${stamp}`;
  const user = `net-user-${stamp}`;
  // TEST-NET-1: a documentation range no real network uses.
  const subnet = '192.0.2.0/24';

  const row = (name: string) => page.getByRole('row', { name, exact: true });
  const networkExists = async (name: string) => (await docker(instance, ['network', 'inspect', name])).code === 0;

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '#/networks', (opened) => opened.getByRole('button', { name: 'Create', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    await docker(instance, ['rm', '-f', user]);
    await docker(instance, ['network', 'rm', fromUi, fromCli]);
  });

  it('lists the built-in networks, creates one from the form, and shows one made by the CLI within 2 s without a reload', async () => {
    await row('bridge').waitFor({ timeout: 5000 });
    expect(await row('bridge').innerText()).toContain('built-in');

    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(fromUi);
    await page.getByRole('textbox', { name: 'Subnet', exact: true }).fill(subnet);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('status').filter({ hasText: `Created network ${fromUi}.` }).waitFor({ timeout: 5000 });
    await row(fromUi).filter({ hasText: subnet }).waitFor({ timeout: 5000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    const made = await docker(instance, ['network', 'inspect', '--format', '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', fromUi]);
    expect(made.stdout.trim()).toBe(`bridge ${subnet}`);

    expect((await docker(instance, ['network', 'create', fromCli])).code).toBe(0);
    const created = Date.now();
    await row(fromCli).waitFor({ timeout: 2000 });
    expect(Date.now() - created).toBeLessThanOrEqual(2000);
    await screenshot(page, 'networks');
  });

  it('refuses a bad subnet in the form, saying what a subnet looks like', async () => {
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(`bad-net-${stamp}`);
    await page.getByRole('textbox', { name: 'Subnet', exact: true }).fill('10.0.0/99');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'CIDR form, e.g. 172.30.0.0/16' }).waitFor({ timeout: 2000 });
    expect(await page.getByRole('textbox', { name: 'Subnet', exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await networkExists(`bad-net-${stamp}`)).toBe(false);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill('');
    await page.getByRole('textbox', { name: 'Subnet', exact: true }).fill('');
  });

  it('names the containers attached, and inspects a network in a readable panel', async () => {
    expect((await docker(instance, ['run', '-d', '--name', user, '--network', fromCli, 'busybox:offline', 'sleep', '600'])).code).toBe(0);
    await row(fromCli).filter({ hasText: user }).waitFor({ timeout: 5000 });

    await row(fromCli).getByRole('button', { name: 'Inspect', exact: true }).click();
    const panel = page.getByRole('region', { name: `Network ${fromCli}`, exact: true });
    await panel.getByRole('row', { name: user, exact: true }).waitFor({ timeout: 5000 });
    const json = await panel.getByLabel('Inspect JSON').innerText();
    const inspected = JSON.parse(json) as { Name: string; Driver: string };
    expect(inspected).toMatchObject({ Name: fromCli, Driver: 'bridge' });
    expect(await panel.innerText()).toMatch(/Subnet\s+\d+\.\d+\.\d+\.\d+\/\d+/);
    await screenshot(page, 'network-inspect');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'network-inspect-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await panel.getByRole('button', { name: 'Close', exact: true }).click();
    await panel.waitFor({ state: 'detached', timeout: 2000 });
  });

  it('refuses to remove the built-in networks, saying why, and explains one still in use', async () => {
    await row('bridge').getByRole('button', { name: 'Remove', exact: true }).click();
    const builtIn = page.getByRole('alert').filter({ hasText: 'bridge is one of the engine’s built-in networks' });
    await builtIn.waitFor({ timeout: 5000 });
    expect(await builtIn.innerText()).toContain('Only networks you created can be removed.');
    expect(await networkExists('bridge')).toBe(true);

    await row(fromCli).getByRole('button', { name: 'Remove', exact: true }).click();
    const inUse = page.getByRole('alert').filter({ hasText: fromCli });
    await inUse.waitFor({ timeout: 5000 });
    expect(await inUse.innerText()).toContain('Stop or remove the containers attached to it first');
    expect(await networkExists(fromCli)).toBe(true);
  });

  it('removes a selection, refusing only the built-in one in it', async () => {
    expect((await docker(instance, ['rm', '-f', user])).code).toBe(0);
    for (const name of [fromUi, fromCli, 'host']) await page.getByRole('checkbox', { name: `Select ${name}`, exact: true }).check();
    await page.getByRole('toolbar').getByRole('button', { name: 'Remove', exact: true }).click();
    await row(fromUi).waitFor({ state: 'detached', timeout: 5000 });
    await row(fromCli).waitFor({ state: 'detached', timeout: 5000 });
    await page.getByRole('alert').filter({ hasText: 'host is one of the engine’s built-in networks' }).waitFor({ timeout: 2000 });
    expect(await networkExists(fromUi)).toBe(false);
    expect(await networkExists(fromCli)).toBe(false);
    expect(await networkExists('host')).toBe(true);
  });
});
