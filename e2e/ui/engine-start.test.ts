import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newInstance, type Instance } from '../support/berth';
import { launchChromium, screenshot, type Chromium } from '../support/browser';
import { startServe, type Served } from '../support/serve';

// Starts that fail without a VM: the window must follow them step by step, from the daemon's events alone.

const engineState = (page: Page) => page.getByTestId('engine-state');

async function openStopped(chromium: Chromium, served: Served): Promise<Page> {
  const page = await chromium.newPage();
  await page.goto(`${served.url}#/engine`);
  await engineState(page).filter({ hasText: /^stopped$/ }).waitFor({ timeout: 20_000 });
  return page;
}

describe('the Engine page during a start', () => {
  let chromium: Chromium;
  let fakes: string;
  const running: { instance: Instance; served: Served }[] = [];

  async function serveWith(env: NodeJS.ProcessEnv): Promise<{ instance: Instance; served: Served }> {
    const instance = newInstance(env);
    const served = await startServe(instance);
    running.push({ instance, served });
    return { instance, served };
  }

  beforeAll(async () => {
    chromium = await launchChromium();
    // A guest image of empty files and a "QEMU" that dies after a few seconds: a start that gets as far as booting.
    fakes = mkdtempSync(join(tmpdir(), 'bt-fakes-'));
    mkdirSync(join(fakes, 'image'));
    for (const file of ['vmlinux', 'initrd.img', 'base.img']) writeFileSync(join(fakes, 'image', file), '');
    writeFileSync(join(fakes, 'image', 'manifest.json'), JSON.stringify({ kernel: 'fake', docker: 'fake' }));
    writeFileSync(join(fakes, 'qemu'), '#!/bin/sh\nsleep 4\nexit 1\n');
    chmodSync(join(fakes, 'qemu'), 0o755);
  });

  afterAll(async () => {
    await chromium?.close();
    for (const { instance, served } of running) {
      await served.stop();
      rmSync(instance.home, { recursive: true, force: true });
    }
    if (fakes) rmSync(fakes, { recursive: true, force: true });
  });

  it('shows a progress bar through the named steps while starting', async () => {
    const { served } = await serveWith({
      BERTH_QEMU: join(fakes, 'qemu'),
      BERTH_IMAGE: join(fakes, 'image'),
      BERTH_IMAGE_CACHE: join(fakes, 'cache'),
      BERTH_ACCEL: 'tcg',
    });
    const page = await openStopped(chromium, served);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await engineState(page).filter({ hasText: /^starting$/ }).waitFor({ timeout: 10_000 });
    const bar = page.getByRole('progressbar', { name: 'Engine start' });
    await page.getByRole('row').filter({ hasText: 'Boot the VM' }).filter({ hasText: 'running' }).waitFor({ timeout: 10_000 });
    const max = Number(await bar.getAttribute('aria-valuemax'));
    const now = Number(await bar.getAttribute('aria-valuenow'));
    expect(max).toBeGreaterThan(5);
    expect(now).toBeGreaterThanOrEqual(5);
    expect(now).toBeLessThan(max);
    expect(await bar.getAttribute('aria-valuetext')).toContain('Boot the VM');
    expect(await page.getByRole('row').filter({ hasText: 'Read settings' }).innerText()).toMatch(/done\s+\d+ ms/);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isEnabled()).toBe(true);
    await screenshot(page, 'engine-starting');
    // The fake dies: the same page turns to the error without being asked.
    await engineState(page).filter({ hasText: /^error$/ }).waitFor({ timeout: 30_000 });
    expect(await bar.count()).toBe(0);
  });

  it('shows the error, its hint, the failed step and the logs, and offers Start again', async () => {
    const { instance, served } = await serveWith({ BERTH_QEMU: '/nonexistent/qemu-system-x86_64' });
    const page = await openStopped(chromium, served);
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await engineState(page).filter({ hasText: /^error$/ }).waitFor({ timeout: 20_000 });

    const alert = page.getByRole('alert');
    expect(await alert.count()).toBe(1);
    const text = await alert.innerText();
    expect(text).toContain('BERTH_QEMU=/nonexistent/qemu-system-x86_64 is not an executable file.');
    expect(text).toMatch(/What to do:.*QEMU/);
    expect(text).toContain(join(instance.home, 'logs', 'daemon.log'));
    expect(await page.getByRole('row').filter({ hasText: 'Find QEMU' }).innerText()).toContain('failed');
    for (const name of ['Start', 'Stop', 'Restart']) {
      expect(await page.getByRole('button', { name, exact: true }).isEnabled()).toBe(true);
    }
    await screenshot(page, 'engine-error');
  });
});
