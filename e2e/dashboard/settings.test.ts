import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS_VERSION } from '../../src/main/settings/schema';
import { berth, docker, importBusybox, newInstance, testShares, writeSettings } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';

// Its own VM: applying these settings restarts the engine and the VM. The share list is the setting's, not
// BERTH_SHARES's, so the File sharing tab is what the VM sees.
const instance = newInstance({ BERTH_SHARES: '' });
const settingsFile = join(instance.home, 'settings.json');
const saved = () => JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, Record<string, unknown>>;
const APPLIED_MS = 180_000;

describe(`the Settings view, ${inWindow()}, on its own VM`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  // The same path on every run: the share list shapes the VM, and so the snapshot a start restores.
  const outside = join(tmpdir(), 'berth-e2e-settings-share');

  beforeAll(async () => {
    writeSettings(instance, { version: SETTINGS_VERSION, shares: [testShares()], resourceSaver: { idleMinutes: 0 } });
    const started = await berth(instance, ['start']);
    if (started.code !== 0) throw new Error(`berth start failed: ${started.stderr}`);
    const imported = await importBusybox(instance, 'busybox:offline');
    if (imported.code !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'hello.txt'), 'from the host\n');
    dashboard = await openDashboard(instance, '#/settings', (opened) => opened.getByRole('tab', { name: 'General' }));
    page = dashboard.page;
  }, 240_000);

  afterAll(async () => {
    await dashboard?.close();
    await berth(instance, ['stop']);
    rmSync(instance.home, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const tab = (name: string) => page.getByRole('tab', { name, exact: true }).click();
  const note = () => page.locator('[data-test="restart-note"]');
  const apply = () => page.getByRole('button', { name: 'Apply', exact: true }).click();
  /** Waits for the outcome: the headline once applied, or the error box. */
  async function outcome(): Promise<'applied' | string> {
    const done = page.getByRole('status').filter({ hasText: 'Applied. Berth runs with these settings.' });
    const failed = page.getByRole('alert').filter({ hasText: 'The settings were not applied' });
    await done.or(failed).first().waitFor({ timeout: APPLIED_MS });
    const result = (await done.count()) > 0 ? 'applied' : await failed.innerText();
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    return result;
  }
  const info = async (format: string) => (await docker(instance, ['info', '--format', format])).stdout.trim();

  it('General: a theme applies at once, restarting nothing', async () => {
    await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
    expect(await note().innerText()).toBe('Applying restarts nothing: it takes effect at once. It applies the changes on General.');
    await apply();
    expect(await outcome()).toBe('applied');
    // The store reads the settings again once applied; the root element follows.
    await page.locator('html[data-theme="dark"]').waitFor({ state: 'attached', timeout: 5000 });
    expect(saved().general.theme).toBe('dark');
    expect((await berth(instance, ['settings', 'get', 'general.theme'])).stdout).toBe('dark\n');
    // A change from the CLI reaches the open window through 'settings.changed'.
    expect((await berth(instance, ['settings', 'set', 'general.theme', 'light'])).code).toBe(0);
    await page.locator('html[data-theme="light"]').waitFor({ state: 'attached', timeout: 5000 });
    expect(await page.getByRole('combobox', { name: 'Theme' }).inputValue()).toBe('light');
  });

  it("Docker Engine: daemon.json refused by dockerd with its own words, the old one in force", async () => {
    await tab('Docker Engine');
    const editor = page.getByRole('textbox', { name: 'daemon.json' });
    await editor.fill('{ "labels": [');
    await page.getByRole('alert').filter({ hasText: 'Not valid JSON' }).waitFor();
    expect(await page.getByRole('button', { name: 'Apply', exact: true }).isDisabled()).toBe(true);
    await editor.fill('{ "hosts": ["tcp://0.0.0.0:2375"] }');
    await page.getByRole('alert').filter({ hasText: 'Berth serves the engine on its own socket' }).waitFor();

    await editor.fill('{ "labels": ["before=1"], "bogus-key": true }');
    expect(await note().innerText()).toBe(
      'Applying restarts the engine in the VM: running containers stop unless they have a restart policy. It applies the changes on Docker Engine.',
    );
    await apply();
    expect(await outcome()).toContain("the following directives don't match any configuration option: bogus-key");
    expect(saved().engine.daemon).toEqual({ builder: { gc: { defaultKeepStorage: '20GB', enabled: true } }, experimental: false });
    expect(await info('{{json .Labels}}')).toBe('[]');
    const fromCli = await berth(instance, ['settings', 'set', 'engine.daemon', '{"debug": "yes"}']);
    expect(fromCli.code).toBe(1);
    expect(fromCli.stderr).toContain('dockerd refuses this daemon.json');
    expect(fromCli.stderr).toContain('cannot unmarshal string');
  }, APPLIED_MS);

  it("Docker Engine and Network: a good daemon.json and a proxy in one engine restart, seen by docker info and a container", async () => {
    await page.getByRole('textbox', { name: 'daemon.json' }).fill('{ "labels": ["team=berth-e2e"], "experimental": false }');
    await tab('Network');
    await page.getByRole('textbox', { name: 'HTTP proxy' }).fill('http://127.0.0.1:3128');
    await page.getByRole('textbox', { name: 'Bypass the proxy for' }).fill('localhost,.internal');
    expect(await note().innerText()).toMatch(/^Applying restarts the engine in the VM.* It applies the changes on Network and Docker Engine\.$/);
    await screenshot(page, 'settings-network');
    await apply();
    expect(await outcome()).toBe('applied');
    expect(await info('{{json .Labels}}')).toBe('["team=berth-e2e"]');
    expect(saved().engine.daemon).toEqual({ labels: ['team=berth-e2e'], experimental: false });
    expect(await info('{{.HTTPProxy}} {{.NoProxy}}')).toBe('http://127.0.0.1:3128 localhost,.internal');
    const env = await docker(instance, ['run', '--rm', 'busybox:offline', 'env']);
    expect(env.stdout).toContain('HTTP_PROXY=http://127.0.0.1:3128');
    expect(env.stdout).toContain('no_proxy=localhost,.internal');
  }, APPLIED_MS);

  it('File sharing and Resources: a folder added, fewer CPUs, less memory and swap, in one VM restart; the VM has them after', async () => {
    await tab('File sharing');
    await page.getByRole('textbox', { name: 'Folder to share' }).fill(instance.home);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: "Berth's own home cannot be shared." }).waitFor();
    await page.getByRole('textbox', { name: 'Folder to share' }).fill(outside);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('list', { name: 'Shared folders' }).getByText(outside).waitFor();
    await tab('Resources');
    await page.getByRole('spinbutton', { name: 'CPUs' }).fill('1');
    await page.getByRole('spinbutton', { name: 'Memory (MiB)' }).fill('1536');
    await page.getByRole('spinbutton', { name: 'Swap (MiB)' }).fill('512');
    expect(await note().innerText()).toMatch(/^Applying restarts the VM.* It applies the changes on Resources and File sharing\.$/);
    await screenshot(page, 'settings');
    await apply();
    expect(await outcome()).toBe('applied');
    const seen = await docker(instance, ['run', '--rm', '-v', `${outside}:/x`, 'busybox:offline', 'cat', '/x/hello.txt']);
    expect(seen.stdout).toBe('from the host\n');
    expect(await info('{{.NCPU}}')).toBe('1');
    const memory = Number(await info('{{.MemTotal}}'));
    expect(memory).toBeGreaterThan(1200 * 2 ** 20);
    expect(memory).toBeLessThanOrEqual(1536 * 2 ** 20);
    const meminfo = await docker(instance, ['run', '--rm', 'busybox:offline', 'cat', '/proc/meminfo']);
    // The swap file's first page is its header.
    expect(Number(/^SwapTotal:\s+(\d+) kB$/m.exec(meminfo.stdout)?.[1])).toBe(512 * 1024 - 4);
  }, APPLIED_MS);

  it('File sharing: a folder removed is no longer seen', async () => {
    await tab('File sharing');
    await page.getByRole('button', { name: `Remove ${outside}` }).click();
    await apply();
    expect(await outcome()).toBe('applied');
    const refused = await docker(instance, ['run', '--rm', '-v', `${outside}:/x`, 'busybox:offline', 'cat', '/x/hello.txt']);
    expect(refused.stderr).toContain(`Berth cannot mount ${outside}: it is outside the folders shared with the VM`);
  }, APPLIED_MS);
});
