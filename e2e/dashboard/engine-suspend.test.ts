import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, docker, status } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
const name = `frozen-${Date.now()}`;

describe(`the engine footer's Suspend, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard;
  let page: Page;
  const pid = async (): Promise<string> => (await docker(instance, ['inspect', '-f', '{{.State.Pid}}', name])).stdout.trim();

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '#/containers', (opened) => opened.getByRole('button', { name: 'Suspend', exact: true }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    // Whatever a failed test left: the next files get a running engine.
    if (((await status(instance)).state as string) === 'suspended') await berth(instance, ['start']);
    await docker(instance, ['rm', '-f', name]);
  });

  it('tells, on the Engine page, the lines that point a terminal at the running engine', async () => {
    await page.getByRole('link', { name: 'Engine', exact: true }).click();
    const panel = page.locator('.panel', { has: page.getByRole('heading', { name: 'Use it from a terminal' }) });
    await expect.poll(() => panel.innerText(), { timeout: 10_000 }).toContain(`export DOCKER_HOST=unix://${instance.socket}`);
    expect(await panel.innerText()).toContain('docker --context berth ps');
    await page.getByRole('link', { name: 'Containers', exact: true }).click();
  });

  it('suspends the running engine and Start resumes it, the container running on as the same process', async () => {
    const ran = await docker(instance, ['run', '-d', '--init', '--name', name, 'busybox:offline', 'sleep', '100000']);
    expect(ran.code, ran.stderr).toBe(0);
    const before = await pid();
    const state = page.getByTestId('engine-state');
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await expect.poll(() => state.innerText(), { timeout: 30_000 }).toBe('suspended');
    expect(await page.getByRole('button', { name: 'Suspend', exact: true }).isDisabled()).toBe(true);
    // Suspended by the user, not by Resource Saver: no leaf.
    expect(await page.getByTestId('resource-saver').count()).toBe(0);
    // The list shows what the suspend kept.
    await page.getByRole('row', { name }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'engine-suspended');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => state.innerText(), { timeout: 60_000 }).toBe('running');
    expect(await pid()).toBe(before);
  });
});
