import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newInstance, processesOf, type Instance } from '../support/berth';
import { launchChromium, screenshot, type Chromium } from '../support/browser';
import { startServe, type Served } from '../support/serve';

/** Opens a WebSocket to the server and resolves with the HTTP status it was refused with, or 101. */
function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

/** One call over the browser-mode socket, as the page makes it. */
function callOverSocket(served: Served, channel: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, { origin: served.origin });
    ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id: 7, channel, request: {} })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      if (frame.type !== 'reply') return;
      ws.close();
      resolve(frame);
    });
    ws.once('error', reject);
  });
}

const engineState = (page: Page) => page.getByTestId('engine-state');

describe('browser mode (`berth serve`, engine stopped)', () => {
  let instance: Instance;
  let served: Served;
  let chromium: Chromium;
  let page: Page;

  beforeAll(async () => {
    instance = newInstance();
    served = await startServe(instance);
    chromium = await launchChromium();
    page = await chromium.newPage();
  });

  afterAll(async () => {
    await chromium?.close();
    await served?.stop();
    if (instance) rmSync(instance.home, { recursive: true, force: true });
  });

  it('prints exactly one line: the 127.0.0.1 URL with a 32-byte token', () => {
    expect(served.stdout().trimEnd().split('\n')).toEqual([served.url]);
    expect(Buffer.from(served.token, 'base64url')).toHaveLength(32);
  });

  it('refuses every request without the right token', async () => {
    expect((await fetch(`${served.origin}/`)).status).toBe(401);
    expect((await fetch(`${served.origin}/index.html`)).status).toBe(401);
    expect((await fetch(`${served.origin}/?token=${'A'.repeat(43)}`)).status).toBe(403);
    const inBrowser = await page.goto(`${served.origin}/`);
    expect(inBrowser?.status()).toBe(401);
  });

  it('refuses a WebSocket upgrade without the token or from another origin', async () => {
    const socket = `ws://127.0.0.1:${served.port}/ws`;
    expect(await upgradeStatus(socket, served.origin)).toBe(401);
    expect(await upgradeStatus(`${socket}?token=${'A'.repeat(43)}`, served.origin)).toBe(403);
    expect(await upgradeStatus(`${socket}?token=${served.token}`, 'http://evil.example')).toBe(403);
    expect(await upgradeStatus(`${socket}?token=${served.token}`)).toBe(403);
    expect(await upgradeStatus(`${socket}?token=${served.token}`, served.origin)).toBe(101);
  });

  it('carries any contract call to the daemon, and refuses channels the contract lacks', async () => {
    const status = await callOverSocket(served, 'engine.status');
    expect((status.result as { state: string }).state).toBe('stopped');
    const unknown = await callOverSocket(served, 'engine.selfDestruct');
    expect(unknown.error).toMatchObject({ name: 'UnknownChannel' });
  });

  it('with the token, shows the stopped engine, and the page has no Node', async () => {
    const response = await page.goto(`${served.url}#/engine`);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${served.port}`);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');

    await engineState(page).filter({ hasText: /^stopped$/ }).waitFor({ timeout: 20_000 });
    await page.getByText(`unix://${join(instance.home, 'run', 'docker.sock')}`).first().waitFor();
    expect(await page.evaluate(() => [typeof require, typeof process, typeof (window as { berth?: unknown }).berth])).toEqual([
      'undefined',
      'undefined',
      'undefined',
    ]);
    // The token leaves the address bar, and history, once the page has it.
    expect(page.url()).not.toContain(served.token);

    expect(await page.getByRole('button', { name: 'Start', exact: true }).isEnabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Restart', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Engine' }).count()).toBe(1);
    await screenshot(page, 'browser-mode');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'browser-mode-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('keeps working across a reload, without the token in the URL', async () => {
    await page.reload();
    await engineState(page).filter({ hasText: /^stopped$/ }).waitFor({ timeout: 20_000 });
  });

  it('reconnects, respawning the daemon, when the daemon goes away', async () => {
    const pidFile = join(instance.home, 'run', 'daemon.pid');
    const daemonPid = (): number => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || 0 : 0);
    const first = daemonPid();
    expect(first).toBeGreaterThan(0);
    process.kill(first, 'SIGTERM');
    // Only a page that reconnected makes the server dial, and so respawn, the daemon.
    await expect.poll(() => [0, first].includes(daemonPid()), { timeout: 20_000 }).toBe(false);
    await engineState(page).filter({ hasText: /^stopped$/ }).waitFor({ timeout: 20_000 });
    await page.getByText('Connecting to Berth').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Start', exact: true }).isEnabled()).toBe(true);
  });

  it('leaves no process behind once serve stops while the engine is stopped', async () => {
    await served.stop();
    await expect.poll(() => processesOf(instance), { timeout: 15_000 }).toEqual([]);
  });
});
