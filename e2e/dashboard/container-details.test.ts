import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe(`a container's details page, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  const name = `ui-details-${Date.now()}`;
  let id = '';

  const tab = (label: string) => page.getByRole('tab', { name: label, exact: true });
  const logLines = () => page.getByRole('log', { name: 'Container logs' }).locator('.line');
  const linesWith = (text: string) => logLines().filter({ hasText: text });
  /** Waits for the terminal to say it is connected; an error it shows instead fails the test with its words. */
  const connected = async (): Promise<string> => {
    const status = page.getByRole('status').filter({ hasText: 'Connected:' });
    await status
      .or(page.getByRole('alert'))
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(async (error: Error) => {
        const said = await page.locator('.terminal-tab .status').innerText();
        throw new Error(`${error.message}\nthe terminal tab said: ${said}\nthe page's errors: ${dashboard?.errors.join('\n') || 'none'}`);
      });
    if (await page.getByRole('alert').count()) throw new Error(`the terminal showed: ${await page.getByRole('alert').first().innerText()}`);
    return status.innerText();
  };
  /** The shell the terminal started, as the VM's process list shows it: a command that is just `sh`. */
  const terminalShells = async (): Promise<number> => {
    const top = await docker(instance, ['top', name]);
    return top.stdout.split('\n').filter((line) => /\ssh$/.test(line)).length;
  };

  beforeAll(async () => {
    const run = await docker(instance, [
      'run', '-d', '--name', name, '--stop-timeout', '1', 'busybox:offline',
      'sh', '-c', 'echo hello-out; echo hello-err >&2; while true; do echo tick; sleep 1; done',
    ]);
    expect(run.stderr).toBe('');
    id = run.stdout.trim();
    dashboard = await openDashboard(instance, '', (opened) => opened.getByRole('heading', { name: 'Containers' }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    await docker(instance, ['rm', '-f', name]);
  });

  it('shows CPU and memory in the table for a running container', async () => {
    const row = page.getByRole('row', { name, exact: true });
    await row.waitFor({ timeout: 10_000 });
    // Memory comes with the first reading; CPU needs a second one to compare with.
    await expect.poll(() => row.locator('[data-column="memory"]').innerText(), { timeout: 20_000 }).toMatch(/^\d+(\.\d)? (B|KiB|MiB)$/);
    await expect.poll(() => row.locator('[data-column="cpu"]').innerText(), { timeout: 20_000 }).toMatch(/^\d+(\.\d)? %$/);
    await screenshot(page, 'containers-usage');
  });

  it("opens from the container's name on its logs: output and errors, then new lines as they come", async () => {
    await page.getByRole('row', { name, exact: true }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, exact: true }).waitFor({ timeout: 10_000 });
    expect(page.url()).toContain(`#/containers/${id}`);
    expect(await tab('Logs').getAttribute('aria-selected')).toBe('true');
    await linesWith('hello-out').first().waitFor({ timeout: 20_000 });
    expect(await linesWith('hello-out').first().getAttribute('data-stream')).toBe('stdout');
    expect(await linesWith('hello-err').first().getAttribute('data-stream')).toBe('stderr');
    const ticks = await linesWith('tick').count();
    await expect.poll(() => linesWith('tick').count(), { timeout: 15_000 }).toBeGreaterThan(ticks);
    expect(await page.getByRole('button', { name: 'Follow', exact: true }).getAttribute('aria-pressed')).toBe('true');
    await screenshot(page, 'container-logs');
  });

  it('filters and highlights by search, and shows timestamps on demand', async () => {
    await page.getByRole('searchbox', { name: 'Search logs' }).fill('HELLO');
    await expect.poll(() => logLines().count()).toBe(2);
    expect(await logLines().locator('mark').allInnerTexts()).toEqual(['hello', 'hello']);
    expect(await logLines().locator('.time').count()).toBe(0);
    await page.getByRole('button', { name: 'Timestamps', exact: true }).click();
    expect(await logLines().first().locator('.time').innerText()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    await screenshot(page, 'container-logs-search');
    await page.getByRole('button', { name: 'Timestamps', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search logs' }).fill('');
  });

  it('follows the logs again when the container starts again', async () => {
    expect(await linesWith('hello-out').count()).toBe(1);
    expect((await docker(instance, ['stop', name])).code).toBe(0);
    await page.locator('.head .state[data-state="exited"]').waitFor({ timeout: 20_000 });
    expect((await docker(instance, ['start', name])).code).toBe(0);
    await expect.poll(() => linesWith('hello-out').count(), { timeout: 20_000 }).toBe(2);
    const ticks = await linesWith('tick').count();
    await expect.poll(() => linesWith('tick').count(), { timeout: 15_000 }).toBeGreaterThan(ticks);
  });

  it("shows the container's inspect answer", async () => {
    await tab('Inspect').click();
    const json = page.getByLabel('Inspect JSON');
    await json.waitFor({ timeout: 10_000 });
    expect(await json.innerText()).toContain(`"Id": "${id}"`);
    expect(await page.getByRole('tabpanel').innerText()).toContain('busybox:offline');
    await screenshot(page, 'container-inspect');
  });

  it('runs a command in a terminal (sh, as busybox has no bash), and ends the shell when the tab closes', async () => {
    await tab('Terminal').click();
    expect(await connected()).toMatch(/Connected: sh in/);
    await page.locator('.xterm').click();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.xterm-rows').innerText(), { timeout: 15_000 }).toMatch(/^42\s*$/m);
    await screenshot(page, 'container-terminal');
    expect(await terminalShells()).toBe(1);
    await tab('Logs').click();
    await expect.poll(terminalShells, { timeout: 15_000 }).toBe(0);
  });

  it('draws live charts of CPU, memory, network and disk, with the current figures', async () => {
    await tab('Stats').click();
    const figures = page.getByRole('definition');
    await figures.first().waitFor({ timeout: 20_000 });
    expect(await figures.first().innerText()).toMatch(/^\d+(\.\d)? %$/);
    expect(await figures.nth(1).innerText()).toMatch(/^\d+(\.\d)? (B|KiB|MiB)/);
    for (const title of ['CPU', 'Memory', 'Network I/O', 'Disk I/O']) {
      await page.getByRole('img', { name: `${title} chart`, exact: true }).locator('canvas').waitFor({ timeout: 10_000 });
    }
    // A few readings, so the charts have lines to draw.
    await page.waitForTimeout(4000);
    await screenshot(page, 'container-stats');
  });

  it('says why a stopped container has no terminal, and what to do', async () => {
    expect((await docker(instance, ['stop', name])).code).toBe(0);
    await tab('Terminal').click();
    const why = page.getByRole('status').filter({ hasText: 'not running' });
    await why.waitFor({ timeout: 20_000 });
    expect(await why.innerText()).toContain('Start it');
    expect((await docker(instance, ['start', name])).code).toBe(0);
    await connected();
  });
});
