// The window's Extensions page, driven in a browser as the dashboard's extension tests do.
import type { Frame, Page } from 'playwright-core';
import { expect } from 'vitest';
import { docker, type Instance } from './berth';
import { buildBackendImage } from './extensionBackends';
import { extensionLabels, ICON_SVG } from './extensionImages';
import type { LocalRegistry } from './registry';
import { templateUiFiles } from './templateExtension';

/**
 * The demo extension: a page made from Docker's template (React, MUI, Docker's theme provider and API client),
 * a vm.image backend on a Unix socket, and two host binaries.
 */
export const demoFiles = {
  '/metadata.json': JSON.stringify({
    icon: 'icon.svg',
    ui: { 'dashboard-tab': { title: 'Demo', root: '/ui', src: 'index.html', backend: { socket: 'demo.sock' } } },
    vm: { image: '${DESKTOP_PLUGIN_IMAGE}', exposes: { socket: 'demo.sock' } },
    host: { binaries: [{ linux: [{ path: '/linux/hello' }, { path: '/linux/ticker' }] }] },
  }),
  '/icon.svg': ICON_SVG,
  '/linux/hello': '#!/bin/sh\nfor arg in "$@"; do echo "arg:$arg"; done\necho "to stderr" >&2\n',
  '/linux/ticker': `#!/bin/sh\nn=0\nwhile true; do n=$((n+1)); echo "tick $n"; sleep 0.2; done\n`,
};

/** A second extension whose backend is a compose file: a named volume and the engine's socket, as Docker Desktop's docs show. */
export const composedFiles = {
  '/metadata.json': JSON.stringify({
    icon: 'icon.svg',
    ui: { 'dashboard-tab': { title: 'Composed', root: '/ui', src: 'index.html' } },
    vm: { composefile: 'backend/docker-compose.yaml', exposes: { socket: 'composed.sock' } },
  }),
  '/icon.svg': ICON_SVG,
  '/ui/index.html': '<!doctype html><html><head><title>Composed</title></head><body><h1>Composed page</h1></body></html>\n',
  '/backend/docker-compose.yaml': [
    'services:',
    '  api:',
    '    image: ${DESKTOP_PLUGIN_IMAGE}',
    '    command: ["/usr/bin/perl", "/server.pl", "/run/guest-services/composed.sock"]',
    '    environment:',
    '      NAME: composed',
    '    volumes:',
    '      - state:/state',
    '      - /var/run/docker.sock.raw:/var/run/docker.sock',
    'volumes:',
    '  state:',
    '',
  ].join('\n'),
};

/** Builds an extension image with the backend server, pushes it to `registry` and drops the local tags: an install pulls it. */
export async function pushBackendExtension(instance: Instance, registry: LocalRegistry, image: Parameters<typeof buildBackendImage>[1]): Promise<string> {
  const local = await buildBackendImage(instance, image);
  const remote = `${registry.fromGuest}/${local}`;
  for (const args of [['tag', local, remote], ['push', remote], ['rmi', local, remote]]) {
    const run = await docker(instance, args, { timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
  }
  return remote;
}

/** The demo extension, pushed: its page from Docker's template, `NAME` for its backend. */
export async function pushDemo(instance: Instance, registry: LocalRegistry, repository: string): Promise<string> {
  return pushBackendExtension(instance, registry, {
    repository,
    tag: '1.0.0',
    files: { ...demoFiles, ...(await templateUiFiles('Demo')) },
    cmd: ['/usr/bin/perl', '/server.pl', '/run/guest-services/demo.sock'],
    env: { NAME: 'demo' },
    labels: extensionLabels('Demo'),
  });
}

/** Ways to reach the Extensions page and the extensions' own pages in `page`. */
export function extensionsPage(page: Page) {
  /** The extension's page inside the window's sandboxed frame. */
  const pageOf = async (title: string): Promise<Frame> => {
    const handle = await page.locator(`iframe[title="${title}"]`).elementHandle({ timeout: 30_000 });
    const frame = await handle!.contentFrame();
    await frame!.waitForFunction(() => document.readyState === 'complete' && 'ddClient' in window, undefined, { timeout: 30_000 });
    return frame!;
  };
  /** Opens the extension's tab afresh (by way of Extensions, so an open tab is left first): a new frame, a new page. */
  const openTab = async (title: string): Promise<Frame> => {
    const sections = page.getByRole('navigation', { name: 'Sections' });
    await sections.getByRole('link', { name: 'Extensions', exact: true }).click();
    await expect.poll(() => page.locator('iframe').count()).toBe(0);
    await sections.getByRole('link', { name: title }).click();
    return pageOf(title);
  };
  /** Starts an install from the form; `accept` then accepts what the extension may do once the window asks. */
  const install = async (reference: string, accept = true): Promise<void> => {
    await page.getByLabel('Image', { exact: true }).fill(reference);
    await page.getByRole('form', { name: 'Install an extension' }).getByRole('button', { name: 'Install', exact: true }).click();
    if (accept) await page.getByRole('alertdialog').getByRole('button', { name: 'Accept and install' }).click({ timeout: 180_000 });
  };
  /** Installs from the Extensions page and opens the new tab. */
  const openTabAfterInstall = async (title: string, reference: string): Promise<void> => {
    await page.goto(page.url().replace(/#.*$/, '#/extensions'));
    await install(reference);
    await expect.poll(() => page.getByRole('row', { name: title }).count(), { timeout: 120_000 }).toBe(1);
    await openTab(title);
  };
  return { pageOf, openTab, install, openTabAfterInstall };
}
