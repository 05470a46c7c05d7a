import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { screenshot } from '../support/browser';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { inWindow } from '../support/window';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

interface Inspect {
  Config: { Image: string; Env: string[]; Cmd: string[] };
  HostConfig: { PortBindings: Record<string, { HostPort: string }[]> };
  Mounts: { Type: string; Name?: string; Destination: string }[];
  State: { Running: boolean };
}

describe(`running a container from the form, ${inWindow()}, on the real engine`, () => {
  let dashboard: Dashboard;
  let page: Page;
  const stamp = Date.now();
  const name = `ui-run-${stamp}`;
  const volume = `ui-run-vol-${stamp}`;
  const hostPort = String(20000 + (stamp % 10000));

  const field = (label: string) => page.getByLabel(label, { exact: true });
  const containerNames = async () => (await docker(instance, ['ps', '-a', '--format', '{{.Names}}'])).stdout.trim().split('\n').sort();
  const openForm = async () => {
    await dashboard.goto('#/containers/run');
    await page.getByRole('heading', { name: 'Run a container' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Run', exact: true }).and(page.locator(':enabled')).waitFor({ timeout: 20_000 });
  };

  beforeAll(async () => {
    dashboard = await openDashboard(instance, '', (opened) => opened.getByRole('heading', { name: 'Containers' }));
    page = dashboard.page;
  });

  afterAll(async () => {
    await dashboard?.close();
    await docker(instance, ['rm', '-f', name]);
    await docker(instance, ['volume', 'rm', volume]);
  });

  it('runs a container detached with a name, a port, an environment variable, a volume and a command', async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { name: 'Run a container' }).waitFor({ timeout: 5000 });
    await field('Image').fill('busybox:offline');
    await field('Name').fill(name);
    await field('Ports').fill(`${hostPort}:80`);
    await field('Environment').fill('GREETING=hello from berth');
    await field('Volumes').fill(`${volume}:/data`);
    await field('Command').fill(`sh -c 'echo $GREETING; sleep 600'`);
    await screenshot(page, 'run');
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    await page.getByRole('heading', { name: 'Containers' }).waitFor({ timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: `Started container ${name}` }).waitFor({ timeout: 5000 });
    await page.locator(`tr[aria-label="${name}"][data-state="running"]`).waitFor({ timeout: 5000 });

    const [inspected] = JSON.parse((await docker(instance, ['inspect', name])).stdout) as Inspect[];
    expect(inspected!.State.Running).toBe(true);
    expect(inspected!.Config.Image).toBe('busybox:offline');
    expect(inspected!.Config.Env).toContain('GREETING=hello from berth');
    expect(inspected!.Config.Cmd).toEqual(['sh', '-c', 'echo $GREETING; sleep 600']);
    expect(inspected!.HostConfig.PortBindings['80/tcp']?.[0]?.HostPort).toBe(hostPort);
    expect(inspected!.Mounts).toContainEqual(expect.objectContaining({ Type: 'volume', Name: volume, Destination: '/data' }));
    await expect.poll(async () => (await docker(instance, ['logs', name])).stdout, { timeout: 5000 }).toContain('hello from berth');
  });

  it('refuses an invalid image reference in the form, saying how to write one, and creates nothing', async () => {
    const before = await containerNames();
    await openForm();
    await field('Image').fill('Busy Box!');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'is not a valid image reference' });
    await problem.waitFor({ timeout: 2000 });
    expect(await problem.innerText()).toContain('Write it as name[:tag], e.g. busybox:latest');
    expect(await field('Image').getAttribute('aria-invalid')).toBe('true');
    expect(await containerNames()).toEqual(before);
  });

  it('says an image is not on the engine, with the hint to pull it, and creates nothing', async () => {
    const missing = `ui-missing-${stamp}`;
    await openForm();
    await field('Image').fill(`berth-no-such-image-${stamp}:1`);
    await field('Name').fill(missing);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'The container did not run' });
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.innerText()).toContain(`The image berth-no-such-image-${stamp}:1 is not on this engine`);
    expect(await refused.innerText()).toContain('Pull it first, from the Images view');
    expect(await containerNames()).not.toContain(missing);
  });

  it('refuses a bad port mapping in the form and on the backend, and creates nothing', async () => {
    const before = await containerNames();
    await openForm();
    await field('Image').fill('busybox:offline');
    await field('Ports').fill('8080:80\n80:http');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const problem = page.getByRole('alert').filter({ hasText: '“80:http” is not a port mapping' });
    await problem.waitFor({ timeout: 2000 });
    expect(await problem.innerText()).toContain('Write HOST:CONTAINER, e.g. 8080:80');

    // A client that skips the form meets the same rule in the backend.
    const request = { image: 'busybox:offline', ports: ['80:http'], env: [], volumes: [] };
    const reply = await page.evaluate(
      async ({ token, request }): Promise<{ error?: { name: string; message: string; hint: string } }> => {
        // The Electron window's preload, or browser mode's WebSocket: whichever carries the contract here.
        const preload = (window as unknown as { berth?: { invoke(channel: string, request: unknown): Promise<unknown> } }).berth;
        if (preload) return preload.invoke('containers.run', request).then(() => ({}), (error: { name: string; message: string; hint: string }) => ({ error }));
        const socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token!)}`);
        await new Promise((opened) => (socket.onopen = opened));
        // Events may come first: the answer is the reply to call 1.
        const answered = new Promise<string>((done) => {
          socket.onmessage = (message) => {
            const text = String(message.data);
            if ((JSON.parse(text) as { type: string; id?: number }).type === 'reply') done(text);
          };
        });
        socket.send(JSON.stringify({ type: 'call', id: 1, channel: 'containers.run', request }));
        const text = await answered;
        socket.close();
        return JSON.parse(text);
      },
      { token: dashboard.served?.token ?? null, request },
    );
    expect(reply.error).toMatchObject({ name: 'InvalidRequest', message: expect.stringContaining('“80:http” is not a port mapping') });
    expect(reply.error!.hint).not.toBe('');
    expect(await containerNames()).toEqual(before);
  });
});
