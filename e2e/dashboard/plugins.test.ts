import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';
import { pushVolumePlugin } from '../support/volumePlugin';
import { inWindow } from '../support/window';

const instance = sharedInstance();

describe(`the Plugins view, ${inWindow()}, on the real engine and a local registry`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  let registry: LocalRegistry;
  const stamp = Date.now();
  const repository = `berth/volume-${stamp}`;
  let v1 = '';
  let v2 = '';
  const volumes: string[] = [];
  const containers: string[] = [];

  const row = (name: string) => page.getByRole('row', { name, exact: true });
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const section = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name, exact: true });
  const cli = async (args: string[]): Promise<string> => {
    const run = await docker(instance, args);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout.trim();
  };
  const installed = async (): Promise<string[]> => (await cli(['plugin', 'ls', '--format', '{{.Name}}'])).split('\n').filter(Boolean);
  const enabled = async (name: string): Promise<string> => cli(['plugin', 'inspect', '--format', '{{.Enabled}}', name]);

  beforeAll(async () => {
    registry = await startRegistry();
    // A plain-HTTP registry: the engine pulls from it (plugins too) only once it is listed as insecure.
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    v1 = await pushVolumePlugin(instance, registry, repository, 'v1', 'Berth test volume driver, first version');
    v2 = await pushVolumePlugin(instance, registry, repository, 'v2', 'Berth test volume driver, second version');
    dashboard = await openDashboard(instance, '#/plugins', (opened) => opened.getByRole('button', { name: 'Install', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    if (containers.length) await docker(instance, ['rm', '-f', ...containers]);
    // The volumes first: with the plugin gone, nothing could remove them.
    if (volumes.length) await docker(instance, ['volume', 'rm', '-f', ...volumes]);
    for (const reference of [v1, v2]) if (reference) await docker(instance, ['plugin', 'rm', '-f', reference]);
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  /** Types `reference` into the install form and opens what it asks to be granted. */
  async function askToInstall(reference: string) {
    await page.getByRole('textbox', { name: 'Plugin', exact: true }).fill(reference);
    await button('Install').click();
    const dialog = page.getByRole('dialog', { name: `Install ${reference}` });
    await dialog.waitFor({ timeout: 30_000 });
    return dialog;
  }

  it('refuses, before asking for anything, a reference the registry does not have and an image that is no plugin', async () => {
    const missing = `${registry.fromGuest}/berth/missing-${stamp}:v1`;
    const image = `${registry.fromGuest}/berth/image-${stamp}:v1`;
    await page.getByRole('textbox', { name: 'Plugin', exact: true }).fill(missing);
    await button('Install').click();
    let alert = page.getByRole('alert').filter({ hasText: `There is no plugin ${missing}` });
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toContain('Check the repository name and tag');
    await alert.getByRole('button', { name: 'Dismiss', exact: true }).click();

    await cli(['tag', 'busybox:offline', image]);
    await cli(['push', image]);
    await cli(['rmi', image]);
    await page.getByRole('textbox', { name: 'Plugin', exact: true }).fill(image);
    await button('Install').click();
    alert = page.getByRole('alert').filter({ hasText: `${image} is not a plugin` });
    await alert.waitFor({ timeout: 30_000 });
    await alert.getByRole('button', { name: 'Dismiss', exact: true }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await installed()).toEqual(expect.not.arrayContaining([missing, image]));
  });

  it('shows the privileges a plugin asks for, and installs nothing when they are not granted', async () => {
    const dialog = await askToInstall(v1);
    const asked = dialog.getByRole('list', { name: 'Privileges asked for' }).getByRole('listitem');
    expect(await asked.allInnerTexts()).toEqual([
      'mount: /etc/os-release — host path to mount',
      'capabilities: CAP_SYS_ADMIN — list of additional capabilities required',
    ]);
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 2000 });
    await page.getByRole('status').filter({ hasText: `Nothing installed: the privileges ${v1} asks for were not granted.` }).waitFor({ timeout: 2000 });
    expect(await installed()).not.toContain(v1);
    expect(await row(v1).count()).toBe(0);
  });

  it('installs once they are granted, with its progress, enabled, and lists its tag, type, state and privileges', async () => {
    const dialog = await askToInstall(v1);
    await dialog.getByRole('button', { name: 'Grant and install', exact: true }).click();
    const total = page.getByRole('progressbar', { name: `Install of ${v1}`, exact: true });
    await page.getByRole('heading', { name: `Installed ${v1}`, exact: true }).waitFor({ timeout: 90_000 });
    expect(await total.getAttribute('aria-valuenow')).toBe('100');
    expect(await installed()).toContain(v1);
    expect(await enabled(v1)).toBe('true');

    await row(v1).waitFor({ timeout: 5000 });
    const cells = await row(v1).getByRole('cell').allInnerTexts();
    expect(cells.slice(0, 4)).toEqual([`${registry.fromGuest}/${repository}\nBerth test volume driver, first version`, 'v1', 'volume', 'enabled']);
    const held = await row(v1).getByRole('list', { name: `Privileges of ${v1}` }).getByRole('listitem').allInnerTexts();
    expect(held).toEqual(['mount: /etc/os-release — host path to mount', 'capabilities: CAP_SYS_ADMIN — list of additional capabilities required']);
    expect(await cli(['plugin', 'inspect', '--format', '{{json .Config.Linux.Capabilities}}', v1])).toBe('["CAP_SYS_ADMIN"]');
    await screenshot(page, 'plugins');
  });

  it('gives the Volumes view its driver: a volume made there is the plugin’s, and a container writes to it', async () => {
    const volume = `plugin-vol-${stamp}`;
    volumes.push(volume);
    await section('Volumes').click();
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(volume);
    const driver = page.getByRole('combobox', { name: 'Driver', exact: true });
    expect(await driver.locator('option').allInnerTexts()).toContain(v1);
    await driver.selectOption(v1);
    await button('Create').click();
    await page.getByRole('status').filter({ hasText: `Created volume ${volume}.` }).waitFor({ timeout: 10_000 });
    await row(volume).filter({ hasText: v1 }).waitFor({ timeout: 5000 });
    expect(await cli(['volume', 'ls', '--filter', `driver=${v1}`, '--format', '{{.Name}} {{.Driver}}'])).toBe(`${volume} ${v1}`);

    const writer = `plugin-vol-user-${stamp}`;
    containers.push(writer);
    expect(await cli(['run', '--name', writer, '-v', `${volume}:/data`, 'busybox:offline', 'sh', '-c', 'echo kept > /data/file && cat /data/file'])).toBe('kept');
    await cli(['rm', writer]);

    // A volume driver is no network driver: the Networks form keeps to the built-in ones.
    await section('Networks').click();
    // The Networks view, not the Volumes view still leaving: its heading, then its form once its list loaded.
    await page.getByRole('heading', { name: 'Networks', level: 1 }).waitFor({ timeout: 5000 });
    const networkDriver = page.getByRole('combobox', { name: 'Driver', exact: true });
    await networkDriver.waitFor({ timeout: 5000 });
    expect(await networkDriver.locator('option').allInnerTexts()).toEqual(['bridge', 'ipvlan', 'macvlan']);
  });

  it('refuses to disable the plugin while the volume uses its driver, saying so in the engine’s words', async () => {
    await section('Plugins').click();
    await row(v1).getByRole('button', { name: 'Disable', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The plugin action did not complete' });
    await alert.waitFor({ timeout: 10_000 });
    const text = await alert.innerText();
    expect(text).toContain(`Cannot disable ${v1}: plugin ${v1} is in use`);
    expect(text).toContain(`volume plugin-vol-${stamp} uses its driver`);
    expect(await enabled(v1)).toBe('true');
    await alert.getByRole('button', { name: 'Dismiss', exact: true }).click();
  });

  it('disables and enables from the view once the volume is gone, and follows the CLI doing so without a reload', async () => {
    const volume = volumes.pop()!;
    await section('Volumes').click();
    await row(volume).getByRole('button', { name: 'Remove', exact: true }).click();
    await row(volume).waitFor({ state: 'detached', timeout: 10_000 });
    await section('Plugins').click();

    const state = row(v1).getByRole('cell').nth(3);
    await row(v1).getByRole('button', { name: 'Disable', exact: true }).click();
    await row(v1).getByRole('button', { name: 'Enable', exact: true }).waitFor({ timeout: 10_000 });
    expect(await state.innerText()).toBe('disabled');
    expect(await enabled(v1)).toBe('false');
    await row(v1).getByRole('button', { name: 'Enable', exact: true }).click();
    await row(v1).getByRole('button', { name: 'Disable', exact: true }).waitFor({ timeout: 30_000 });
    expect(await enabled(v1)).toBe('true');

    await cli(['plugin', 'disable', v1]);
    await row(v1).and(page.locator('[data-enabled="false"]')).waitFor({ timeout: 5000 });
    await cli(['plugin', 'enable', v1]);
    await row(v1).and(page.locator('[data-enabled="true"]')).waitFor({ timeout: 5000 });
    expect(await state.innerText()).toBe('enabled');
  });

  it('upgrades the disabled plugin to another version after granting what that one asks for', async () => {
    await row(v1).getByRole('button', { name: 'Disable', exact: true }).click();
    await row(v1).and(page.locator('[data-enabled="false"]')).waitFor({ timeout: 10_000 });
    await row(v1).getByRole('button', { name: 'Upgrade', exact: true }).click();
    const asking = page.getByRole('dialog', { name: `Upgrade ${v1}` });
    const from = asking.getByRole('textbox', { name: 'From', exact: true });
    expect(await from.inputValue()).toBe(v1);
    await from.fill(v2);
    await asking.getByRole('button', { name: 'Next', exact: true }).click();
    const grant = page.getByRole('dialog', { name: `Upgrade ${v1} to ${v2}` });
    await grant.waitFor({ timeout: 30_000 });
    expect(await grant.getByRole('listitem').count()).toBe(2);
    await grant.getByRole('button', { name: 'Grant and upgrade', exact: true }).click();
    await page.getByRole('heading', { name: `Upgraded to ${v2}`, exact: true }).waitFor({ timeout: 90_000 });
    expect(await cli(['plugin', 'inspect', '--format', '{{.PluginReference}} {{.Config.Description}}', v1])).toBe(`${v2} Berth test volume driver, second version`);
    await row(v1).filter({ hasText: 'second version' }).waitFor({ timeout: 5000 });
    await row(v1).getByRole('button', { name: 'Enable', exact: true }).click();
    await row(v1).and(page.locator('[data-enabled="true"]')).waitFor({ timeout: 30_000 });
  });

  it('asks before removing, names the volume its driver serves and refuses unless forced, then removes it once unused', async () => {
    const volume = `plugin-vol-cli-${stamp}`;
    volumes.push(volume);
    await cli(['volume', 'create', '--driver', v1, volume]);

    await row(v1).getByRole('button', { name: 'Remove', exact: true }).click();
    let question = page.getByRole('dialog', { name: `Remove ${v1}?` });
    expect(await question.getByRole('note').innerText()).toContain(`Its driver is in use: volumes ${volume}.`);
    expect(await question.getByRole('checkbox', { name: 'Remove it by force' }).isChecked()).toBe(false);
    await question.getByRole('button', { name: 'Remove', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: `Cannot remove ${v1}: volume ${volume} uses its driver.` });
    await alert.waitFor({ timeout: 10_000 });
    expect(await installed()).toContain(v1);
    await alert.getByRole('button', { name: 'Dismiss', exact: true }).click();

    await cli(['volume', 'rm', volume]);
    volumes.pop();
    await row(v1).getByRole('button', { name: 'Remove', exact: true }).click();
    question = page.getByRole('dialog', { name: `Remove ${v1}?` });
    expect(await question.innerText()).toContain('No volume or network uses its driver. It is enabled: it is disabled first.');
    await question.getByRole('button', { name: 'Remove', exact: true }).click();
    await row(v1).waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByRole('status').filter({ hasText: `Removed ${v1}.` }).waitFor({ timeout: 2000 });
    expect(await installed()).not.toContain(v1);
  });
});
