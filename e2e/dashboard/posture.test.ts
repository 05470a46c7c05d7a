import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_WORDS, type FindingId } from '../../src/main/api/posture';
import { berth, docker, newInstance } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { loadExtensionImages } from '../support/extensionImages';
import { sharedInstance } from '../support/shared';
import { inWindow } from '../support/window';

const instance = sharedInstance();
const stamp = Date.now().toString(36);
const prefix = `posture-${stamp}`;
/** Made offline by the test rig; its config's "created" is the rig's fixed time, 2024-01-01, long over 90 days ago. */
const OLD_IMAGE = `posture/old:${stamp}`;
const HARDENED = ['--read-only', '--memory', '64m', '--user', '1000'];

/** Each container: how it is run, and exactly the findings it must show, in the badges' order. */
const CONTAINERS: Record<string, { flags: string[]; image?: string; findings: FindingId[] }> = {
  privileged: { flags: ['--privileged'], findings: ['root', 'privileged', 'writable-root', 'no-memory-limit'] },
  caps: { flags: ['--cap-add', 'NET_ADMIN', '--cap-add', 'CAP_CHOWN'], findings: ['root', 'added-capabilities', 'writable-root', 'no-memory-limit'] },
  pid: { flags: ['--pid', 'host'], findings: ['root', 'host-pid', 'writable-root', 'no-memory-limit'] },
  host: { flags: ['--network', 'host', '--ipc', 'host', ...HARDENED], findings: ['host-network', 'host-ipc'] },
  socket: { flags: ['-v', '/var/run/docker.sock:/var/run/docker.sock'], findings: ['root', 'docker-socket', 'writable-root', 'no-memory-limit'] },
  user: { flags: ['--user', '1000'], findings: ['writable-root', 'no-memory-limit'] },
  old: { flags: HARDENED, image: OLD_IMAGE, findings: ['old-image'] },
  clean: { flags: HARDENED, findings: [] },
};
const nameOf = (key: string): string => `${prefix}-${key}`;

interface PostureLine {
  id: string;
  name: string;
  image: string;
  findings: Array<{ id: string; label: string; detail: string }>;
}

async function postureJson(): Promise<PostureLine[]> {
  const listed = await berth(instance, ['posture', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout) as PostureLine[];
}

describe(`each container's security posture, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;

  const row = (key: string) => page.locator(`tr[aria-label="${nameOf(key)}"]`);
  /** The badges a row shows once its posture is read, as [finding id, label]. */
  const badges = async (key: string): Promise<Array<[string, string]>> => {
    await page.locator(`tr[aria-label="${nameOf(key)}"][data-findings]`).waitFor({ timeout: 15_000 });
    const items = row(key).locator('[data-finding]');
    const found: Array<[string, string]> = [];
    for (let at = 0; at < (await items.count()); at++) {
      found.push([(await items.nth(at).getAttribute('data-finding'))!, (await items.nth(at).innerText()).trim()]);
    }
    return found;
  };
  const expected = (ids: FindingId[]): Array<[string, string]> => ids.map((id) => [id, FINDING_WORDS[id].label]);

  beforeAll(async () => {
    await loadExtensionImages(instance, [{ repository: 'posture/old', tag: stamp, labels: {}, files: {}, busybox: true }]);
    // All at once: one after another they take about 6 s each under emulation.
    await Promise.all(
      Object.entries(CONTAINERS).map(async ([key, { flags, image }]) => {
        const run = await docker(instance, ['run', '-d', '--name', nameOf(key), '--stop-timeout', '1', ...flags, image ?? 'busybox:offline', 'sleep', '600']);
        if (run.code !== 0) throw new Error(`docker run ${key} failed: ${run.stderr}`);
      }),
    );
    dashboard = await openDashboard(instance, '', (opened) => opened.getByRole('heading', { name: 'Containers' }));
    page = dashboard.page;
    await page.getByRole('searchbox', { name: 'Search containers' }).fill(prefix);
  });

  afterAll(async () => {
    await dashboard?.close();
    await docker(instance, ['rm', '-f', ...Object.keys(CONTAINERS).map(nameOf)]);
    await docker(instance, ['rmi', OLD_IMAGE]);
  });

  it('shows each container exactly its badges, and berth posture --json says the same', async () => {
    for (const [key, { findings }] of Object.entries(CONTAINERS)) expect([key, await badges(key)]).toEqual([key, expected(findings)]);
    const listed = await postureJson();
    for (const [key, { findings }] of Object.entries(CONTAINERS)) {
      const line = listed.find((each) => each.name === nameOf(key));
      expect(line, key).toBeDefined();
      expect([key, line!.findings.map((finding) => [finding.id, finding.label])]).toEqual([key, await badges(key)]);
      expect(line!.image).toBe(CONTAINERS[key]!.image ?? 'busybox:offline');
      expect(line!.id).toBe((await docker(instance, ['inspect', '--format', '{{.Id}}', nameOf(key)])).stdout.trim());
    }
    const byName = Object.fromEntries(listed.map((line) => [line.name, line]));
    expect(byName[nameOf('caps')]!.findings.find((finding) => finding.id === 'added-capabilities')?.detail).toBe('NET_ADMIN');
    expect(byName[nameOf('socket')]!.findings.find((finding) => finding.id === 'docker-socket')?.detail).toBe('/var/run/docker.sock at /var/run/docker.sock');
    expect(byName[nameOf('old')]!.findings[0]!.detail).toMatch(/^created 2024-01-01, \d+ days ago$/);
    await screenshot(page, 'posture');
  });

  it('lists only the containers with findings under “With findings”', async () => {
    const shown = async (): Promise<string[]> => (await page.locator('tbody tr[aria-label]').evaluateAll((rows) => rows.map((each) => each.getAttribute('aria-label')!))).sort();
    await page.getByRole('checkbox', { name: 'With findings' }).check();
    const withFindings = Object.keys(CONTAINERS).filter((key) => CONTAINERS[key]!.findings.length).map(nameOf).sort();
    await expect.poll(shown, { timeout: 5000 }).toEqual(withFindings);
    await page.getByRole('searchbox', { name: 'Search containers' }).fill(nameOf('clean'));
    await page.getByRole('status').filter({ hasText: 'has security findings' }).waitFor({ timeout: 5000 });
    await page.getByRole('checkbox', { name: 'With findings' }).uncheck();
    await row('clean').waitFor({ timeout: 5000 });
    await page.getByRole('searchbox', { name: 'Search containers' }).fill(prefix);
    expect(await shown()).toEqual(Object.keys(CONTAINERS).map(nameOf).sort());
  });

  it('explains each finding in the container’s Security tab, and says when there is none', async () => {
    await row('caps').getByRole('link', { name: FINDING_WORDS['added-capabilities'].label }).click();
    const tab = page.getByRole('tabpanel');
    const caps = tab.locator('[data-finding="added-capabilities"]');
    await caps.waitFor({ timeout: 10_000 });
    expect(await page.getByRole('tab', { name: /Security/ }).getAttribute('aria-selected')).toBe('true');
    expect(await caps.innerText()).toContain('NET_ADMIN');
    expect(await caps.innerText()).toContain(FINDING_WORDS['added-capabilities'].why);
    expect(await caps.innerText()).toContain('How to avoid it: Remove the --cap-add flags');
    expect(await tab.locator('[data-finding]').evaluateAll((items) => items.map((item) => item.getAttribute('data-finding')))).toEqual(CONTAINERS.caps!.findings);
    await dashboard!.goto(`#/containers/${nameOf('clean')}/security`);
    await page.getByRole('tabpanel').getByText('No findings.').waitFor({ timeout: 10_000 });
  });

  it('follows `docker update`: a memory limit set takes its badge away', async () => {
    await dashboard!.goto('');
    await page.getByRole('searchbox', { name: 'Search containers' }).fill(prefix);
    expect(await badges('user')).toEqual(expected(['writable-root', 'no-memory-limit']));
    const updated = await docker(instance, ['update', '--memory', '64m', '--memory-swap', '64m', nameOf('user')]);
    expect(updated.code, updated.stderr).toBe(0);
    await row('user').locator('[data-finding="no-memory-limit"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await badges('user')).toEqual(expected(['writable-root']));
    const line = (await postureJson()).find((each) => each.name === nameOf('user'));
    expect(line?.findings.map((finding) => finding.id)).toEqual(['writable-root']);
  });
});

describe('berth posture without an engine', () => {
  const stopped = newInstance();
  afterAll(() => rmSync(stopped.home, { recursive: true, force: true }));

  it('says the engine is not running and how to start it', async () => {
    const refused = await berth(stopped, ['posture', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('The engine is not running, so there are no containers to check.');
    expect(refused.stderr).toContain('berth start');
    const wrong = await berth(stopped, ['posture', '--yaml']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('berth posture takes only --json, not --yaml.');
  });
});
