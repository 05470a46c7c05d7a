import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DdClient } from '../../src/extension-client/types';
import { ICON_LABEL } from '../../src/main/extensions/icon';
import { extensionKey } from '../../src/main/extensions/key';
import { berth, docker } from '../support/berth';
import { composedFiles, extensionsPage, pushBackendExtension } from '../support/extensionDashboard';
import { extensionLabels, pushExtensionImages, uiExtension } from '../support/extensionImages';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';
import { inWindow } from '../support/window';

declare global {
  interface Window {
    ddClient: DdClient;
  }
}

const instance = sharedInstance();
const stamp = Date.now();

describe(`extensions' lives, ${inWindow()}: compose backends, restarts, updates, look-alikes and hostile pages`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  let registry: LocalRegistry;
  let composed = '';
  let hostile = '';
  let lookalike = '';
  const extensionsDir = join(instance.home, 'extensions');
  let pageOf: (title: string) => Promise<Frame>;
  let openTab: (title: string) => Promise<Frame>;
  let install: (reference: string, accept?: boolean) => Promise<void>;
  let openTabAfterInstall: (title: string, reference: string) => Promise<void>;

  beforeAll(async () => {
    registry = await startRegistry();
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    composed = await pushBackendExtension(instance, registry, {
      repository: `berth-tests/composed-${stamp}`,
      tag: '2.0.0',
      files: composedFiles,
      cmd: ['/bin/sh'],
      labels: extensionLabels('Composed'),
    });
    [hostile, lookalike] = await pushExtensionImages(instance, registry, [
      uiExtension(`berth-tests/hostile-${stamp}`, '1.0.0', 'Hostile'),
      // Titled like Berth's own view, with no icon in metadata.json: its label's icon is not fetched, host-only.
      {
        ...uiExtension(`berth-tests/lookalike-${stamp}`, '1.0.0', 'Volumes', {
          '/metadata.json': JSON.stringify({ ui: { 'dashboard-tab': { title: 'Volumes', root: '/ui', src: 'index.html' } } }),
          '/icon.svg': undefined,
        }),
        labels: extensionLabels('Volumes', { [ICON_LABEL]: 'http://127.0.0.1:9/icon.svg' }),
      },
    ]);
    dashboard = await openDashboard(instance, '#/extensions', (opened) => opened.getByRole('heading', { name: 'Extensions', exact: true }));
    page = dashboard.page;
    ({ pageOf, openTab, install, openTabAfterInstall } = extensionsPage(page));
  }, 300_000);

  afterAll(async () => {
    if (dashboard?.errors.length) console.log(`page errors:\n${dashboard.errors.join('\n')}`);
    await dashboard?.close();
    for (const reference of [hostile, composed, lookalike]) {
      if (reference) await berth(instance, ['extension', 'rm', reference.replace(/:[^:/]*$/, '')]);
    }
    for (const reference of [hostile, composed, lookalike]) {
      if (reference) await docker(instance, ['rmi', '-f', reference]);
    }
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  it('installs an extension whose metadata.json names no icon, with the generic icon (host-only: nothing fetched), apart from Berth\'s own Volumes', async () => {
    await page.goto(page.url().replace(/#.*$/, '#/extensions'));
    await install(lookalike);
    await expect.poll(() => page.getByRole('row', { name: 'Volumes' }).count(), { timeout: 120_000 }).toBe(1);
    const key = extensionKey(lookalike.replace(/:[^:/]*$/, ''));
    const generic = readFileSync(new URL('../../src/main/extensions/genericIcon.svg', import.meta.url));
    expect(readFileSync(join(extensionsDir, key, 'icon.svg'))).toEqual(generic);
    const sections = page.getByRole('navigation', { name: 'Sections' });
    const tab = sections.getByRole('group', { name: 'Extensions' }).getByRole('link', { name: 'Volumes' });
    await expect.poll(() => tab.count()).toBe(1);
    // Two entries of that name: Berth's view, and the extension's tab in its group, with its icon shown.
    const named = await sections.getByRole('link', { name: 'Volumes', exact: true }).evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(named).toEqual(['#/volumes', `#/extensions/${key}/tab`]);
    const icon = () => tab.locator('img').evaluate((img: HTMLImageElement) => ({ src: img.src, shown: img.complete && img.naturalWidth > 0 }));
    await expect.poll(icon).toEqual({ src: `data:image/svg+xml;base64,${generic.toString('base64')}`, shown: true });
    await tab.click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/extensions/${key}/tab`);
    await pageOf('Volumes');
  });

  it('runs a compose backend with its named volume and the engine socket, and reaches it from the page', async () => {
    await openTabAfterInstall('Composed', composed);
    const frame = await pageOf('Composed');
    const answers = await frame.evaluate(async () => {
      const service = window.ddClient.extension.vm!.service!;
      return { hello: await service.get('/hello'), engine: await service.get('/engine') };
    });
    expect(answers).toEqual({ hello: { message: 'hello from composed' }, engine: { ping: 'OK' } });
    const key = extensionKey(composed.replace(/:[^:/]*$/, ''));
    const volumes = await docker(instance, ['volume', 'ls', '--filter', `label=com.docker.compose.project=berth-ext-${key}`, '--format', '{{.Name}}']);
    expect(volumes.stdout.trim()).toBe(`berth-ext-${key}_state`);
  });

  it("navigates onto Berth's own views, v1 and v0, and rejects an object that does not exist", async () => {
    const key = extensionKey(composed.replace(/:[^:/]*$/, ''));
    const backendId = (await docker(instance, ['ps', '-q', '--no-trunc', '--filter', `label=berth.extension.key=${key}`])).stdout.trim();
    const volume = `berth-ext-e2e-${stamp}`;
    expect((await docker(instance, ['volume', 'create', volume])).code).toBe(0);
    const [repository, tag] = [composed.slice(0, composed.lastIndexOf(':')), composed.slice(composed.lastIndexOf(':') + 1)];
    const intents: Array<[string, string]> = [
      ['dd.desktopUI.navigate.viewContainers()', '#/containers'],
      [`dd.desktopUI.navigate.viewContainer(${JSON.stringify(backendId)})`, `#/containers/${backendId}`],
      [`dd.desktopUI.navigate.viewContainerLogs(${JSON.stringify(backendId)})`, `#/containers/${backendId}/logs`],
      [`dd.desktopUI.navigate.viewContainerInspect(${JSON.stringify(backendId.slice(0, 12))})`, `#/containers/${backendId}/inspect`],
      [`dd.desktopUI.navigate.viewContainerTerminal(${JSON.stringify(backendId)})`, `#/containers/${backendId}/terminal`],
      [`dd.desktopUI.navigate.viewContainerStats(${JSON.stringify(backendId)})`, `#/containers/${backendId}/stats`],
      ['dd.desktopUI.navigate.viewImages()', '#/images'],
      [`dd.desktopUI.navigate.viewImage(${JSON.stringify(repository)}, ${JSON.stringify(tag)})`, `#/images?search=${encodeURIComponent(composed)}`],
      ['dd.desktopUI.navigate.viewVolumes()', '#/volumes'],
      [`dd.desktopUI.navigate.viewVolume(${JSON.stringify(volume)})`, `#/volumes?search=${volume}`],
      [`dd.navigateToContainerLogs(${JSON.stringify(backendId)})`, `#/containers/${backendId}/logs`],
    ];
    for (const [call, hash] of intents) {
      const frame = await openTab('Composed');
      const missing = await frame.evaluate(() => window.ddClient.desktopUI.navigate.viewVolume('no-such-volume-berth').then(() => 'resolved', () => 'rejected'));
      expect(missing).toBe('rejected');
      // Not awaited in the page: the navigation takes the frame away, maybe before the answer reaches it.
      await frame.evaluate((code) => void Promise.resolve(new Function('dd', `return ${code}`)(window.ddClient)).catch(() => undefined), call);
      await expect.poll(() => new URL(page.url()).hash, { message: call }).toBe(hash);
    }
    await docker(instance, ['volume', 'rm', volume]);
  });

  it('hides extension containers from the Containers view unless asked', async () => {
    const key = extensionKey(composed.replace(/:[^:/]*$/, ''));
    const name = (await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.Names}}'])).stdout.trim();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Containers', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Containers', exact: true }).count()).toBe(1);
    expect(await page.getByRole('row').filter({ hasText: name }).count()).toBe(0);
    await page.getByLabel('Show extension containers').check();
    await expect.poll(() => page.getByRole('row').filter({ hasText: name }).count()).toBe(1);
    await page.getByLabel('Show extension containers').uncheck();
  });

  it('opens web links in a new tab, and refuses file: ones', async () => {
    const frame = await openTab('Composed');
    const target = `${registry.url}/v2/`;
    const opened = page.context().waitForEvent('page', { timeout: 20_000 });
    await frame.evaluate((url) => window.ddClient.host.openExternal(url), target);
    expect((await opened).url()).toBe(target);
    const refused = await frame.evaluate(() => {
      try {
        window.ddClient.host.openExternal('file:///etc/passwd');
        return 'opened';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(refused).toBe('TypeError');
  });

  it('brings installed extensions and their backends back after the engine restarts', async () => {
    const restarted = await berth(instance, ['restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    const listed = await berth(instance, ['extension', 'ls']);
    expect(listed.stdout).toContain(composed.replace(/:[^:/]*$/, ''));
    const frame = await openTab('Composed');
    const hello = () => frame.evaluate(() => window.ddClient.extension.vm!.service!.get('/hello').then((answer) => JSON.stringify(answer), () => 'down'));
    await expect.poll(hello, { timeout: 60_000 }).toBe('{"message":"hello from composed"}');
  });

  it('shows the details from the labels, and updates in place keeping the named volume', async () => {
    const frame = await openTab('Composed');
    await frame.evaluate(() => window.ddClient.extension.vm!.cli.exec('touch', ['/state/kept']));
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Extensions', exact: true }).click();
    await page.getByRole('row', { name: 'Composed' }).getByRole('button', { name: 'Details', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1, name: 'Composed' }).count()).toBe(1);
    expect(await page.getByText("Composed, made offline for Berth's tests").count()).toBeGreaterThan(0);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Extensions', exact: true }).click();
    await page.getByRole('row', { name: 'Composed' }).getByRole('button', { name: 'Update', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Updated Composed' }).count(), { timeout: 180_000 }).toBe(1);
    const after = await openTab('Composed');
    const listing = () => after.evaluate(() => window.ddClient.extension.vm!.cli.exec('ls', ['/state']).then((result) => result.stdout.trim(), () => 'not yet'));
    await expect.poll(listing, { timeout: 30_000 }).toBe('kept');
  });

  it('refuses what a hostile extension reaches for: the contract, Node, another backend, other binaries, file: links', async () => {
    await openTabAfterInstall('Hostile', hostile);
    const frame = await pageOf('Hostile');
    const otherKey = extensionKey(composed.replace(/:[^:/]*$/, ''));
    const port = new URL(page.url()).port;
    const tries = await frame.evaluate(
      async ({ port, otherKey }) => {
        /** One frame on a socket, and what came back (or how it ended). */
        const ask = (url: string, frame: object): Promise<unknown> =>
          new Promise((done) => {
            const socket = new WebSocket(url);
            socket.onopen = () => socket.send(JSON.stringify(frame));
            socket.onmessage = (message) => done(JSON.parse(String(message.data)));
            socket.onerror = () => done('refused');
            setTimeout(() => done('no answer'), 10_000);
          });
        const own = `ws://${location.host}/__berth/ddclient`;
        const errorName = (reply: unknown) => (reply as { error?: { name: string } }).error?.name ?? reply;
        return {
          node: [typeof (window as unknown as { require?: unknown }).require, typeof (window as unknown as { process?: unknown }).process, typeof (window as unknown as { berth?: unknown }).berth],
          windowSocket: await ask(`ws://127.0.0.1:${port}/ws`, { type: 'call', id: 1, channel: 'engine.stop', request: {} }),
          contractOnOwnSocket: errorName(await ask(own, { type: 'call', id: 1, channel: 'extensions.remove', request: { key: otherKey } })),
          otherBackend: errorName(await ask(own, { type: 'call', id: 1, channel: 'ddClient.service', request: { key: otherKey, method: 'GET', url: '/hello' } })),
          otherBinary: await window.ddClient.extension.host!.cli.exec('/bin/sh', ['-c', 'id']).then(
            () => 'ran',
            (error: { name?: string }) => error.name,
          ),
          otherExtensionsBinary: errorName(await ask(own, { type: 'open', id: 2, channel: 'ddClient.exec', request: { key: otherKey, scope: 'host', command: 'hello', args: [] } })),
          fileLink: errorName(await ask(own, { type: 'call', id: 3, channel: 'ddClient.openExternal', request: { url: 'file:///etc/passwd' } })),
          frameUrl: await fetch(`http://127.0.0.1:${port}/extension-frame?key=${otherKey}`, { credentials: 'include' }).then(
            (response) => response.status,
            () => 'refused',
          ),
        };
      },
      { port, otherKey },
    );
    expect(tries.node).toEqual(['undefined', 'undefined', 'undefined']);
    expect(tries.windowSocket).toBe('refused');
    expect(tries.contractOnOwnSocket).toBe('Forbidden');
    expect(tries.otherBackend).toBe('NoBackend');
    expect(tries.otherBinary).toBe('BinaryRefused');
    expect(tries.otherExtensionsBinary).toBe('BinaryRefused');
    expect(tries.fileLink).toBe('LinkRefused');
    // The window's cookie stays with the window: the page learns no other extension's address.
    expect(['refused', 401]).toContain(tries.frameUrl);
  });
});
