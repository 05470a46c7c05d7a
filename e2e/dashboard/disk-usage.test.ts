import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { sharedInstance } from '../support/shared';
import { inWindow } from '../support/window';

const instance = sharedInstance();

/** The rows of `docker system df`, by the names it gives them. */
const TYPES = ['Images', 'Containers', 'Local Volumes', 'Build Cache'] as const;

describe(`the Disk usage view, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  const stamp = Date.now();
  const stopped = `du-stopped-${stamp}`;
  const volume = `du-volume-${stamp}`;
  const built = `du-built:${stamp}`;
  const context = mkdtempSync(join(tmpdir(), 'bt-du-build-'));

  const button = (name: string) => page.getByRole('main').getByRole('button', { name, exact: true });
  const cli = async (args: string[], timeoutMs?: number): Promise<string> => {
    const run = await docker(instance, args, { timeoutMs });
    expect(run.code, run.stderr).toBe(0);
    return run.stdout.trim();
  };

  /** Each kind's total, active, size and reclaimable, as the view shows them and as `docker system df` prints them. */
  async function figures(): Promise<{ view: Record<string, string[]>; cli: Record<string, string[]> }> {
    const printed = (await cli(['system', 'df', '--format', '{{json .}}'])).split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    const fromCli = Object.fromEntries(printed.map((row) => [row.Type!, [row.TotalCount!, row.Active!, row.Size!, row.Reclaimable!]]));
    const fromView: Record<string, string[]> = {};
    for (const type of TYPES) {
      const row = page.getByRole('row', { name: type, exact: true });
      fromView[type] = await Promise.all(['total', 'active', 'size', 'reclaimable'].map((figure) => row.locator(`[data-figure="${figure}"]`).innerText()));
    }
    return { view: fromView, cli: fromCli };
  }

  /** Refreshes the view until its figures are the CLI's: the view's answer may come after the click. */
  async function expectCliFigures(): Promise<Record<string, string[]>> {
    let last: Awaited<ReturnType<typeof figures>> | null = null;
    await expect
      .poll(
        async () => {
          await button('Refresh').click();
          last = await figures();
          return JSON.stringify(last.view) === JSON.stringify(last.cli) ? 'same' : last;
        },
        { timeout: 30_000, interval: 1000 },
      )
      .toBe('same');
    return last!.view;
  }

  beforeAll(async () => {
    // One of each kind with something in it: a stopped container that wrote, an unused volume with data,
    // build cache from a small build, and a dangling image.
    await cli(['run', '--name', stopped, 'busybox:offline', 'sh', '-c', 'head -c 300000 /dev/urandom > /written']);
    await cli(['run', '--rm', '-v', `${volume}:/data`, 'busybox:offline', 'sh', '-c', 'head -c 200000 /dev/urandom > /data/kept']);
    writeFileSync(join(context, 'Dockerfile'), 'FROM busybox:offline\nCOPY payload /payload\n');
    writeFileSync(join(context, 'payload'), `built for the disk usage view ${stamp}\n`.repeat(4000));
    await cli(['buildx', 'build', '--load', '--tag', built, context], 240_000);
    dashboard = await openDashboard(instance, '#/disk-usage', (opened) => opened.getByRole('table', { name: 'Disk usage by type' }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    await docker(instance, ['rm', '-f', stopped]);
    await docker(instance, ['volume', 'rm', '-f', volume]);
    await docker(instance, ['rmi', '-f', built]);
    rmSync(context, { recursive: true, force: true });
  });

  it('shows what docker system df shows for each kind, each item, and the data disk file', async () => {
    const view = await expectCliFigures();
    expect(Number(view['Containers']![0]) - Number(view['Containers']![1])).toBeGreaterThan(0);
    expect(view['Build Cache']![2]).not.toBe('0B');

    // The per-item lists, against `docker system df -v`.
    const verbose = JSON.parse(await cli(['system', 'df', '-v', '--format', '{{json .}}'])) as { Volumes: Array<{ Name: string; Links: string; Size: string }>; Containers: Array<{ Names: string; Size: string }> };
    const volumes = page.getByRole('table', { name: 'Local Volumes space usage' });
    const ours = verbose.Volumes.find((entry) => entry.Name === volume)!;
    expect(ours.Size).not.toBe('0B');
    const volumeRow = volumes.getByRole('row', { name: volume, exact: true });
    expect([await volumeRow.locator('[data-figure="links"]').innerText(), await volumeRow.locator('[data-figure="size"]').innerText()]).toEqual([ours.Links, ours.Size]);
    const written = verbose.Containers.find((entry) => entry.Names === stopped)!;
    expect(await page.getByRole('table', { name: 'Containers space usage' }).getByRole('row', { name: stopped, exact: true }).locator('[data-figure="size"]').innerText()).toBe(written.Size);

    const disk = statSync(join(instance.home, 'data.img'));
    expect(await page.getByTestId('data-disk-apparent').innerText()).toContain(`${(disk.size / 2 ** 30).toFixed(1)} GiB`);
    expect(await page.getByTestId('data-disk-allocated').innerText()).toMatch(/^\d+(\.\d)? (MiB|GiB)/);
    await screenshot(page, 'disk-usage');
  });

  it('prunes stopped containers after asking, and the figures follow', async () => {
    await button('Prune stopped containers').click();
    const dialog = page.getByRole('dialog', { name: 'Prune stopped containers?' });
    expect(await dialog.innerText()).toContain('not running');
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ containers?, reclaiming / }).waitFor({ timeout: 30_000 });
    expect((await docker(instance, ['container', 'inspect', stopped])).code).not.toBe(0);
    const view = await expectCliFigures();
    expect(view['Containers']![0]).toBe(view['Containers']![1]);
  });

  it('prunes unused volumes, dangling images and build cache, each after asking', async () => {
    // An image a commit left without a name: dangling.
    const source = await cli(['create', 'busybox:offline', 'true']);
    const dangling = await cli(['commit', source]);
    await cli(['rm', source]);

    await button('Prune unused volumes').click();
    await page.getByRole('dialog', { name: 'Prune unused volumes?' }).getByRole('button', { name: 'Prune', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ volumes?, reclaiming / }).waitFor({ timeout: 30_000 });
    expect((await docker(instance, ['volume', 'inspect', volume])).code).not.toBe(0);

    await button('Prune images').click();
    const images = page.getByRole('dialog', { name: 'Prune images' });
    await images.getByRole('radio', { name: /Dangling images only/ }).check();
    await images.getByRole('button', { name: 'Prune', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ images?, reclaiming / }).waitFor({ timeout: 30_000 });
    expect((await docker(instance, ['image', 'inspect', dangling])).code).not.toBe(0);
    expect((await docker(instance, ['image', 'inspect', built])).code).toBe(0);

    await button('Prune build cache').click();
    await page.getByRole('dialog', { name: 'Prune build cache?' }).getByRole('button', { name: 'Prune', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /^Removed \d+ build cache records?, reclaiming / }).waitFor({ timeout: 30_000 });
    const view = await expectCliFigures();
    expect(view['Build Cache']![3]).toBe('0B');
    expect(await page.getByRole('alert').count()).toBe(0);
  });
});
