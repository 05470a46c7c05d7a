import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';
import { inWindow } from '../support/window';

const instance = sharedInstance();

describe(`the Images view, ${inWindow()}, on the real engine and a local registry`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  let registry: LocalRegistry;
  const stamp = Date.now();
  const containers: string[] = [];
  const images: string[] = [];
  // An image of its own (busybox plus a layer of random bytes), so a pull has a layer to download.
  const payload = `berth-payload-${stamp}:v1`;
  let remote = '';

  const row = (name: string) => page.getByRole('row', { name, exact: true });
  const button = (name: string) => page.getByRole('button', { name, exact: true });
  const imageExists = async (ref: string) => (await docker(instance, ['image', 'inspect', ref])).code === 0;
  const cli = async (args: string[]): Promise<string> => {
    const run = await docker(instance, args);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout.trim();
  };
  /** A new image from busybox:offline with one more layer, made by running `command` and committing the container. */
  const commit = async (command: string, reference?: string): Promise<string> => {
    const source = `img-src-${stamp}-${containers.length}`;
    containers.push(source);
    await cli(['run', '--name', source, 'busybox:offline', 'sh', '-c', command]);
    return cli(['commit', source, ...(reference ? [reference] : [])]);
  };

  beforeAll(async () => {
    registry = await startRegistry();
    // A plain-HTTP registry: the engine uses it only once it is listed as insecure.
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    remote = `${registry.fromGuest}/berth/payload:v1`;
    images.push(payload, remote);
    await commit('dd if=/dev/urandom of=/payload bs=1024 count=3072 2>/dev/null', payload);
    dashboard = await openDashboard(instance, '#/images', (opened) => opened.getByRole('button', { name: 'Pull', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    if (containers.length) await docker(instance, ['rm', '-f', ...containers]);
    for (const image of images) await docker(instance, ['rmi', '-f', image]);
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  it('shows an image tagged by the CLI without a reload, with its id, size and use', async () => {
    const fromCli = `berth-cli-${stamp}:v1`;
    images.push(fromCli);
    await row(payload).waitFor({ timeout: 5000 });
    await cli(['tag', 'busybox:offline', fromCli]);
    await row(fromCli).waitFor({ timeout: 3000 });
    const id = (await cli(['image', 'inspect', '--format', '{{.Id}}', 'busybox:offline'])).replace('sha256:', '').slice(0, 12);
    const text = await row(fromCli).innerText();
    expect(text).toContain(id);
    expect(text).toMatch(/\d MB/);
    await screenshot(page, 'images');
  });

  it('tags an image from its row, refusing an invalid reference with a hint', async () => {
    await row(payload).getByRole('button', { name: 'Tag', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Tag ${payload}` });
    const field = dialog.getByRole('textbox', { name: 'New reference' });
    await field.fill('berth/Payload:v1');
    await dialog.getByRole('button', { name: 'Tag', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ timeout: 2000 });
    expect(await alert.innerText()).toContain('Repository names are lowercase');
    expect(await alert.innerText()).toContain('Use “berth/payload:v1” instead.');
    expect(await field.getAttribute('aria-invalid')).toBe('true');

    await field.fill(remote);
    await dialog.getByRole('button', { name: 'Tag', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 2000 });
    await row(remote).waitFor({ timeout: 5000 });
    await page.getByRole('status').filter({ hasText: `Tagged as ${remote}.` }).waitFor({ timeout: 2000 });
  });

  it('pushes to the local registry with a bar per layer and one in total', async () => {
    await row(remote).getByRole('button', { name: 'Push', exact: true }).click();
    const panel = page.getByRole('region', { name: new RegExp(`^Push(ing|ed) ${remote.replaceAll('.', '\\.')}$`) });
    await panel.getByRole('progressbar', { name: `Push of ${remote}`, exact: true }).waitFor({ timeout: 5000 });
    await page.getByRole('heading', { name: `Pushed ${remote}`, exact: true }).waitFor({ timeout: 60_000 });
    expect(await panel.getByRole('progressbar', { name: /^Layer / }).count()).toBeGreaterThanOrEqual(2);
    expect(await panel.getByRole('progressbar', { name: `Push of ${remote}` }).getAttribute('aria-valuenow')).toBe('100');
    expect(await registry.tags('berth/payload')).toEqual(['v1']);
    await screenshot(page, 'images-pushed');
    await panel.getByRole('button', { name: 'Dismiss', exact: true }).click();
  });

  it('removes the local tag, then pulls it back from the registry with its progress shown', async () => {
    await row(remote).getByRole('button', { name: 'Remove', exact: true }).click();
    await row(remote).waitFor({ state: 'detached', timeout: 5000 });
    expect(await imageExists(remote)).toBe(false);
    // Without any local name the image's own layer goes too, so the pull has to download it.
    await cli(['rmi', payload]);
    await row(payload).waitFor({ state: 'detached', timeout: 5000 });

    await page.getByRole('textbox', { name: 'Image', exact: true }).fill(remote);
    await button('Pull').click();
    const total = page.getByRole('progressbar', { name: `Pull of ${remote}`, exact: true });
    await total.waitFor({ timeout: 5000 });
    await page.getByRole('heading', { name: `Pulled ${remote}`, exact: true }).waitFor({ timeout: 60_000 });
    expect(await total.getAttribute('aria-valuenow')).toBe('100');
    const panel = page.getByRole('region', { name: `Pulled ${remote}`, exact: true });
    const layers = panel.getByRole('progressbar', { name: /^Layer / });
    expect(await layers.count()).toBeGreaterThanOrEqual(1);
    expect(await panel.innerText()).toMatch(/Pull complete|Already exists/);
    await row(remote).waitFor({ timeout: 5000 });
    expect(await imageExists(remote)).toBe(true);
    await panel.getByRole('button', { name: 'Dismiss', exact: true }).click();
  });

  it("shows an image's details: its facts and its layers with what created them", async () => {
    await row(remote).getByRole('button', { name: 'Details', exact: true }).click();
    const details = page.getByRole('region', { name: `Details of ${remote}`, exact: true });
    await details.getByRole('table').waitFor({ timeout: 5000 });
    const text = await details.innerText();
    expect(text).toMatch(/Architecture\s+amd64/);
    expect(text).toMatch(/OS\s+linux/);
    expect(text).toContain(`${remote.replace(':v1', '')}@sha256:`);
    expect(await details.getByRole('row').filter({ hasText: 'dd if=/dev/urandom' }).count()).toBe(1);
    expect(await details.getByRole('row').filter({ hasText: 'Imported from -' }).count()).toBe(1);
    await screenshot(page, 'images-details');
    await details.getByRole('button', { name: 'Close', exact: true }).click();
    await details.waitFor({ state: 'detached', timeout: 2000 });
  });

  it('asks before removing an image a container uses: declining keeps it, accepting removes it by force', async () => {
    const user = `img-user-${stamp}`;
    containers.push(user);
    await cli(['create', '--name', user, remote, 'sleep', '600']);
    await page.locator(`tr[aria-label="${remote}"][data-in-use="true"]`).waitFor({ timeout: 5000 });
    expect(await row(remote).innerText()).toContain(user);

    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.dismiss();
    });
    await row(remote).getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => asked).toContain(user);
    await new Promise((done) => setTimeout(done, 500));
    expect(await row(remote).count()).toBe(1);
    expect(await imageExists(remote)).toBe(true);

    page.once('dialog', (dialog) => void dialog.accept());
    await row(remote).getByRole('button', { name: 'Remove', exact: true }).click();
    await row(remote).waitFor({ state: 'detached', timeout: 5000 });
    expect(await imageExists(remote)).toBe(false);
    expect(await docker(instance, ['container', 'inspect', user])).toMatchObject({ code: 0 });
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('refuses an invalid reference, and says a missing image does not exist at the registry, each with a hint', async () => {
    const field = page.getByRole('textbox', { name: 'Image', exact: true });
    for (const [typed, problem, hint] of [
      ['busy box', 'has a space in it', 'Remove the spaces'],
      ['BusyBox:1.36', 'Repository names are lowercase', 'Use “busybox:1.36” instead.'],
    ]) {
      await field.fill(typed!);
      await button('Pull').click();
      const alert = page.getByRole('alert').filter({ hasText: problem! });
      await alert.waitFor({ timeout: 2000 });
      expect(await alert.innerText()).toContain(hint!);
      expect(await field.getAttribute('aria-invalid')).toBe('true');
    }
    expect(await page.getByRole('region', { name: /^Pull/ }).count()).toBe(0);

    for (const missing of [`${registry.fromGuest}/berth/nothing:v1`, `${registry.fromGuest}/berth/payload:nope`]) {
      await field.fill(missing);
      await button('Pull').click();
      const alert = page.getByRole('alert').filter({ hasText: `The image ${missing} does not exist at ${registry.fromGuest}.` });
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.innerText()).toContain('Check the repository name and tag');
      await page.getByRole('region', { name: `Pull of ${missing} failed`, exact: true }).getByRole('button', { name: 'Dismiss', exact: true }).click();
    }
    await screenshot(page, 'images-errors');
  });

  it('prunes dangling images only after the choice is confirmed, and reports what it reclaimed', async () => {
    const dangling = (await commit('echo dangling > /mark')).replace('sha256:', '');
    const name = `<none>:<none> ${dangling.slice(0, 12)}`;
    await row(name).waitFor({ timeout: 5000 });

    await button('Prune').click();
    let dialog = page.getByRole('dialog', { name: 'Prune images' });
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 2000 });
    expect(await imageExists(dangling)).toBe(true);

    await button('Prune').click();
    dialog = page.getByRole('dialog', { name: 'Prune images' });
    expect(await dialog.getByRole('radio', { name: /^Dangling images only/ }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ images?.*, reclaimed \d/ }).waitFor({ timeout: 30_000 });
    await row(name).waitFor({ state: 'detached', timeout: 5000 });
    expect(await imageExists(dangling)).toBe(false);
    expect(await imageExists('busybox:offline')).toBe(true);
  });
});
