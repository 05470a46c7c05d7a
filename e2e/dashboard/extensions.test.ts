import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { muiThemes, type ColourScheme } from '../../src/extension-client/muiThemes';
import type { DdClient } from '../../src/extension-client/types';
import { ICON_LABEL } from '../../src/main/extensions/icon';
import { extensionKey } from '../../src/main/extensions/key';
import { berth, docker, processesWith } from '../support/berth';
import { screenshot } from '../support/browser';
import { buildBackendImage } from '../support/extensionBackends';
import { extensionLabels, ICON_SVG, pushExtensionImages, uiExtension } from '../support/extensionImages';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';
import { templateUiFiles } from '../support/templateExtension';
import { inWindow } from '../support/window';

declare global {
  interface Window {
    ddClient: DdClient;
  }
}

const instance = sharedInstance();
const stamp = Date.now();
/** What the demo's host binaries print, so a test can find their processes on this computer. */
const MARKER = `berth-ext-e2e-${stamp}`;

/**
 * The demo extension: a page made from Docker's template (React, MUI, Docker's theme provider and API client;
 * added in beforeAll), a vm.image backend on a Unix socket, and two host binaries.
 */
const demoFiles = {
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
const composedFiles = {
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

describe(`extensions, ${inWindow()}, installed from a registry on 127.0.0.1 and driven from their own pages`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  let registry: LocalRegistry;
  let demo = '';
  let composed = '';
  let hostile = '';
  let unlabelled = '';
  let lookalike = '';
  const extensionsDir = join(instance.home, 'extensions');

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
  const install = async (reference: string): Promise<void> => {
    await page.getByLabel('Image', { exact: true }).fill(reference);
    await page.getByRole('form', { name: 'Install an extension' }).getByRole('button', { name: 'Install', exact: true }).click();
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    const local = await buildBackendImage(instance, {
      repository: `berth-tests/demo-${stamp}`,
      tag: '1.0.0',
      files: { ...demoFiles, ...(await templateUiFiles('Demo')) },
      cmd: ['/usr/bin/perl', '/server.pl', '/run/guest-services/demo.sock'],
      env: { NAME: 'demo' },
      labels: extensionLabels('Demo'),
    });
    const composedLocal = await buildBackendImage(instance, {
      repository: `berth-tests/composed-${stamp}`,
      tag: '2.0.0',
      files: composedFiles,
      cmd: ['/bin/sh'],
      labels: extensionLabels('Composed'),
    });
    demo = `${registry.fromGuest}/${local}`;
    composed = `${registry.fromGuest}/${composedLocal}`;
    for (const [from, to] of [
      [local, demo],
      [composedLocal, composed],
    ]) {
      for (const args of [['tag', from!, to!], ['push', to!], ['rmi', from!, to!]]) {
        const run = await docker(instance, args, { timeoutMs: 120_000 });
        expect(run.code, run.stderr).toBe(0);
      }
    }
    [hostile, unlabelled, lookalike] = await pushExtensionImages(instance, registry, [
      uiExtension(`berth-tests/hostile-${stamp}`, '1.0.0', 'Hostile'),
      { ...uiExtension(`berth-tests/unlabelled-${stamp}`, '1.0.0', 'Unlabelled'), labels: {} },
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
  }, 300_000);

  afterAll(async () => {
    if (dashboard?.errors.length) console.log(`page errors:\n${dashboard.errors.join('\n')}`);
    await dashboard?.close();
    for (const reference of [hostile, composed, lookalike]) {
      if (reference) await berth(instance, ['extension', 'rm', reference.replace(/:[^:/]*$/, '')]);
    }
    for (const reference of [demo, hostile, composed, lookalike]) {
      if (reference) await docker(instance, ['rmi', '-f', reference]);
    }
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  it('refuses an image without the extension labels, saying which, and installs nothing', async () => {
    const installed = () => (existsSync(extensionsDir) ? readdirSync(extensionsDir).sort() : []);
    const before = installed();
    await install(unlabelled);
    await expect.poll(() => page.getByText('org.opencontainers.image.title', { exact: false }).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(installed()).toEqual(before);
  });

  it('installs an extension from the window, with its backend running, and lists it with a tab in the sidebar', async () => {
    await install(demo);
    await expect.poll(() => page.getByRole('row', { name: 'Demo' }).count(), { timeout: 180_000 }).toBe(1);
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    expect(existsSync(join(extensionsDir, key, 'extension.json'))).toBe(true);
    expect(readdirSync(join(extensionsDir, key, 'host')).sort()).toEqual(['hello', 'ticker']);
    const containers = await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.State}}']);
    expect(containers.stdout.trim()).toBe('running');
    // Its tab is in the sidebar's group of extensions, apart from Berth's own views.
    const sections = page.getByRole('navigation', { name: 'Sections' });
    await expect.poll(() => sections.getByRole('group', { name: 'Extensions' }).getByRole('link', { name: 'Demo' }).count()).toBe(1);
    expect(await sections.getByRole('link', { name: 'Demo' }).count()).toBe(1);
    expect(await sections.getByRole('group', { name: 'Extensions' }).getByRole('link', { name: 'Images', exact: true }).count()).toBe(0);
    await screenshot(page, 'extensions');
  });

  it('gives the page ddClient before its scripts run, with this host and the extension image', async () => {
    const frame = await openTab('Demo');
    expect(new URL(frame.url()).hostname).toMatch(/^[0-9a-f]{32}\.localhost$/);
    await screenshot(page, 'extension-tab');
    const facts = await frame.evaluate(() => {
      const dd = window.ddClient;
      return { image: dd.extension.image, platform: dd.host.platform, arch: dd.host.arch, hostname: dd.host.hostname, writable: Object.getOwnPropertyDescriptor(window, 'ddClient')?.writable };
    });
    expect(facts).toEqual({ image: demo, platform: process.platform, arch: process.arch, hostname: hostname(), writable: false });
  });

  it("renders a page made from Docker's template in Berth's theme, light or dark as the system is, and its buttons work", async () => {
    const errorsBefore = dashboard!.errors.length;
    const frame = await openTab('Demo');
    await frame.getByRole('heading', { name: 'Template extension' }).waitFor({ timeout: 30_000 });
    const rgb = (hex: string) => `rgb(${[1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;
    const looks = async () => ({
      paletteText: await frame.getByTestId('palette').textContent(),
      paletteColour: await frame.getByTestId('palette').evaluate((element) => getComputedStyle(element).color),
      background: await frame.evaluate(() => getComputedStyle(document.body).backgroundColor),
    });
    const berths = (scheme: ColourScheme) => {
      const { palette } = muiThemes[scheme];
      return { paletteText: palette.docker.grey[100], paletteColour: rgb(palette.docker.blue[700]), background: rgb(palette.background.default) };
    };
    expect(await looks()).toEqual(berths('light'));
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(looks).toEqual(berths('dark'));
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(looks).toEqual(berths('light'));
    await screenshot(page, 'extension-template');

    await frame.getByRole('button', { name: 'Docker info' }).click();
    const engine = (await docker(instance, ['info', '--format', '{{.ServerVersion}}'])).stdout.trim();
    await expect.poll(() => frame.getByTestId('server-version').textContent(), { timeout: 30_000 }).toBe(engine);
    await frame.getByRole('button', { name: 'Ask the backend' }).click();
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const backendId = (await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.ID}}'])).stdout.trim();
    await expect.poll(() => frame.getByTestId('backend-hostname').textContent(), { timeout: 30_000 }).toBe(backendId);
    await frame.getByRole('button', { name: 'Toast' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Hello from the template extension' }).count()).toBe(1);
    expect(await frame.getByTestId('failure').textContent()).toBe('');
    expect(dashboard!.errors.slice(errorsBefore)).toEqual([]);
  });

  it('runs docker commands, blocking and streaming, with one layer of quotes taken off and no shell', async () => {
    const frame = await pageOf('Demo');
    const result = await frame.evaluate(async () => {
      const version = await window.ddClient.docker.cli.exec('version', ['--format', '"{{json .Server.Version}}"']);
      const literal = await window.ddClient.docker.cli.exec('version', ['--format', '{{.Client.Os}}; echo pwned $(id)']);
      const failed = await window.ddClient.docker.cli.exec('inspect', ['no-such-container-berth']).then(
        () => null,
        (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      const lines: string[] = [];
      const code = await new Promise<number>((done) =>
        window.ddClient.docker.cli.exec('version', ['--format', '{{.Server.Os}}\n{{.Server.Arch}}'], {
          stream: { splitOutputLines: true, onOutput: (data) => void ('stdout' in data && lines.push(data.stdout)), onClose: done },
        }),
      );
      return { version: version.parseJsonObject(), literal: literal.stdout, failed, lines, code };
    });
    const engine = (await docker(instance, ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
    expect(result.version).toBe(engine);
    expect(result.literal).toBe(`${process.platform}; echo pwned $(id)\n`);
    expect(result.failed?.code).not.toBe(0);
    expect(result.failed?.stderr).toContain('no-such-container-berth');
    expect(result.lines).toEqual(['linux', 'amd64']);
    expect(result.code).toBe(0);
  });

  it('lists containers and images as the Engine API does', async () => {
    const frame = await pageOf('Demo');
    const lists = await frame.evaluate(async () => {
      const containers = (await window.ddClient.docker.listContainers({ all: true })) as Array<{ Id: string; Names: string[]; Labels: Record<string, string> }>;
      const images = (await window.ddClient.docker.listImages()) as Array<{ Id: string; RepoTags: string[] | null }>;
      return { containers, images };
    });
    const backend = lists.containers.find((container) => container.Labels['com.docker.desktop.extension'] === 'true');
    expect(backend?.Id).toMatch(/^[0-9a-f]{64}$/);
    expect(backend?.Names[0]).toMatch(/^\//);
    expect(lists.images.some((image) => image.RepoTags?.includes(demo))).toBe(true);
  });

  it("reaches its backend's socket through Berth's tunnel, v1 and v0, with ServiceError for a non-2xx", async () => {
    const frame = await pageOf('Demo');
    const answers = await frame.evaluate(async () => {
      const service = window.ddClient.extension.vm!.service!;
      const hello = await service.get('/hello');
      const posted = await service.post('/echo', { name: 'berth' });
      const put = await service.put('/echo', 'text body');
      const patched = await service.patch('/echo', { n: 1 });
      const deleted = await service.delete('/echo');
      const head = await service.head('/hello').then(() => 'ok');
      const requested = await service.request({ url: '/echo', method: 'POST', headers: {}, data: { via: 'request' } });
      const teapot = await service.get('/status/418').then(
        () => null,
        (error: { name?: string; statusCode?: number }) => ({ name: error.name, statusCode: error.statusCode }),
      );
      const v0 = await window.ddClient.backend.get('/hello');
      return { hello, posted, put, patched, deleted, head, requested, teapot, v0 };
    });
    expect(answers.hello).toEqual({ message: 'hello from demo' });
    expect(answers.posted).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"name":"berth"}' });
    expect(answers.put).toMatchObject({ method: 'PUT', body: 'text body' });
    expect(answers.patched).toMatchObject({ method: 'PATCH' });
    expect(answers.deleted).toMatchObject({ method: 'DELETE' });
    expect(answers.head).toBe('ok');
    expect(answers.requested).toMatchObject({ method: 'POST', body: '{"via":"request"}' });
    expect(answers.teapot).toEqual({ name: 'ServiceError', statusCode: 418 });
    expect(answers.v0).toEqual({ message: 'hello from demo' });
  });

  it('runs commands in its backend container and its own host binaries', async () => {
    const frame = await pageOf('Demo');
    const runs = await frame.evaluate(async () => {
      const inVm = await window.ddClient.extension.vm!.cli.exec('cat', ['/proc/1/cmdline']);
      const host = await window.ddClient.extension.host!.cli.exec('hello', ['"a b"', "'c'", '$(id)']);
      return { inVm: inVm.stdout, host: host.lines(), hostErr: host.stderr };
    });
    expect(runs.inVm).toContain('/server.pl');
    expect(runs.host).toEqual(['arg:a b', 'arg:c', 'arg:$(id)']);
    expect(runs.hostErr).toBe('to stderr\n');
  });

  it('answers the v0 API the same way', async () => {
    const frame = await pageOf('Demo');
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const backendName = (await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.Names}}'])).stdout.trim();
    const answers = await frame.evaluate(async (container) => {
      const dd = window.ddClient;
      /** A v0 spawn's output, once it reports its exit code. */
      const spawned = (start: (callback: (data: { stdout?: string; code?: number }, error: unknown) => void) => void) =>
        new Promise<string>((done, fail) => {
          let out = '';
          start((data, error) => {
            if (error) fail(error);
            if (data.stdout) out += data.stdout;
            if (data.code !== undefined) done(`${out.trim()} (exit ${data.code})`);
          });
        });
      const containers = (await dd.listContainers()) as Array<{ Names: string[] }>;
      return {
        listed: containers.some((each) => each.Names.includes(`/${container}`)),
        images: Array.isArray(await dd.listImages()),
        execDocker: (await dd.execDockerCmd('inspect', '--format', '{{.State.Status}}', container)).stdout.trim(),
        spawnDocker: await spawned((callback) => dd.spawnDockerCmd('inspect', ['--format', '{{.Config.Image}}', container], callback)),
        execHost: (await dd.execHostCmd('hello "two words" three')).lines(),
        spawnHost: await spawned((callback) => dd.spawnHostCmd('hello', ['v0'], callback)),
        inVm: (await dd.backend.execInVMExtension('cat /proc/1/cmdline')).stdout.includes('/server.pl'),
        spawnInVm: await spawned((callback) => dd.backend.spawnInVMExtension('echo', ['from', 'vm'], callback)),
        inContainer: (await dd.backend.execInContainer(container, 'echo "in container"')).stdout.trim(),
        posted: await dd.backend.post('/echo', { v0: true }),
      };
    }, backendName);
    expect(answers).toEqual({
      listed: true,
      images: true,
      execDocker: 'running',
      spawnDocker: `${demo} (exit 0)`,
      execHost: ['arg:two words', 'arg:three'],
      spawnHost: 'arg:v0 (exit 0)',
      inVm: true,
      spawnInVm: 'from vm (exit 0)',
      inContainer: 'in container',
      posted: expect.objectContaining({ method: 'POST', body: '{"v0":true}' }),
    });
  });

  it('ends a streaming process on close(), and every one the page started when the user leaves the tab', async () => {
    const frame = await pageOf('Demo');
    const closed = await frame.evaluate(async (marker) => {
      const ticks: string[] = [];
      return new Promise<{ ticks: number; code: number }>((done) => {
        const process = window.ddClient.extension.host!.cli.exec('ticker', [marker], {
          stream: {
            splitOutputLines: true,
            onOutput: (data) => {
              if ('stdout' in data) ticks.push(data.stdout);
              if (ticks.length === 3) {
                process.close();
                setTimeout(() => done({ ticks: ticks.length, code: -2 }), 1500);
              }
            },
            onClose: (code: number) => done({ ticks: ticks.length, code }),
          },
        });
      });
    }, MARKER);
    expect(closed.ticks).toBeGreaterThanOrEqual(3);
    await expect.poll(() => processesWith(MARKER).length, { timeout: 10_000 }).toBe(0);
    await frame.evaluate((marker) => {
      window.ddClient.extension.host!.cli.exec('ticker', [marker], { stream: { onOutput: () => undefined } });
    }, MARKER);
    await expect.poll(() => processesWith(MARKER).length, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Images', exact: true }).click();
    await expect.poll(() => processesWith(MARKER).length, { timeout: 10_000 }).toBe(0);
  });

  it('shows toasts in the window, v1 and v0', async () => {
    const frame = await openTab('Demo');
    await frame.evaluate(() => {
      window.ddClient.desktopUI.toast.success(`saved ${1 + 1} things`);
      window.ddClient.toastError('v0 went wrong');
    });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'saved 2 things' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'v0 went wrong' }).count()).toBe(1);
  });

  it("asks the window's file chooser, and the page gets the chosen paths", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'bt-chooser-'));
    writeFileSync(join(folder, 'pick-me.txt'), 'x');
    const frame = await pageOf('Demo');
    const answer = frame.evaluate(() => window.ddClient.desktopUI.dialog.showOpenDialog({ properties: ['openFile'] }));
    const chooser = page.getByRole('dialog');
    await chooser.getByLabel('Path', { exact: true }).fill(folder);
    await chooser.getByLabel('Path', { exact: true }).press('Enter');
    await chooser.getByRole('radio', { name: 'pick-me.txt' }).check();
    await chooser.getByRole('button', { name: 'Open', exact: true }).click();
    expect(await answer).toEqual({ canceled: false, filePaths: [join(folder, 'pick-me.txt')] });
  });

  it('opens web links in a new tab, and refuses file: ones', async () => {
    const frame = await pageOf('Demo');
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

  it("navigates onto Berth's own views, v1 and v0, and rejects an object that does not exist", async () => {
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const backendId = (await docker(instance, ['ps', '-q', '--no-trunc', '--filter', `label=berth.extension.key=${key}`])).stdout.trim();
    const volume = `berth-ext-e2e-${stamp}`;
    expect((await docker(instance, ['volume', 'create', volume])).code).toBe(0);
    const [repository, tag] = [demo.slice(0, demo.lastIndexOf(':')), demo.slice(demo.lastIndexOf(':') + 1)];
    const intents: Array<[string, string]> = [
      ['dd.desktopUI.navigate.viewContainers()', '#/containers'],
      [`dd.desktopUI.navigate.viewContainer(${JSON.stringify(backendId)})`, `#/containers/${backendId}`],
      [`dd.desktopUI.navigate.viewContainerLogs(${JSON.stringify(backendId)})`, `#/containers/${backendId}/logs`],
      [`dd.desktopUI.navigate.viewContainerInspect(${JSON.stringify(backendId.slice(0, 12))})`, `#/containers/${backendId}/inspect`],
      [`dd.desktopUI.navigate.viewContainerTerminal(${JSON.stringify(backendId)})`, `#/containers/${backendId}/terminal`],
      [`dd.desktopUI.navigate.viewContainerStats(${JSON.stringify(backendId)})`, `#/containers/${backendId}/stats`],
      ['dd.desktopUI.navigate.viewImages()', '#/images'],
      [`dd.desktopUI.navigate.viewImage(${JSON.stringify(repository)}, ${JSON.stringify(tag)})`, `#/images?search=${encodeURIComponent(demo)}`],
      ['dd.desktopUI.navigate.viewVolumes()', '#/volumes'],
      [`dd.desktopUI.navigate.viewVolume(${JSON.stringify(volume)})`, `#/volumes?search=${volume}`],
      [`dd.navigateToContainerLogs(${JSON.stringify(backendId)})`, `#/containers/${backendId}/logs`],
    ];
    for (const [call, hash] of intents) {
      const frame = await openTab('Demo');
      const missing = await frame.evaluate(() => window.ddClient.desktopUI.navigate.viewVolume('no-such-volume-berth').then(() => 'resolved', () => 'rejected'));
      expect(missing).toBe('rejected');
      // Not awaited in the page: the navigation takes the frame away, maybe before the answer reaches it.
      await frame.evaluate((code) => void Promise.resolve(new Function('dd', `return ${code}`)(window.ddClient)).catch(() => undefined), call);
      await expect.poll(() => new URL(page.url()).hash, { message: call }).toBe(hash);
    }
    await docker(instance, ['volume', 'rm', volume]);
  });

  it('hides extension containers from the Containers view unless asked', async () => {
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const name = (await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.Names}}'])).stdout.trim();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Containers', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Containers', exact: true }).count()).toBe(1);
    expect(await page.getByRole('row').filter({ hasText: name }).count()).toBe(0);
    await page.getByLabel('Show extension containers').check();
    await expect.poll(() => page.getByRole('row').filter({ hasText: name }).count()).toBe(1);
    await page.getByLabel('Show extension containers').uncheck();
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

  it('brings installed extensions and their backends back after the engine restarts', async () => {
    const restarted = await berth(instance, ['restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    const listed = await berth(instance, ['extension', 'ls']);
    expect(listed.stdout).toContain(composed.replace(/:[^:/]*$/, ''));
    expect(listed.stdout).toContain(demo.replace(/:[^:/]*$/, ''));
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
    const demoKey = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const port = new URL(page.url()).port;
    const tries = await frame.evaluate(
      async ({ port, demoKey }) => {
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
          contractOnOwnSocket: errorName(await ask(own, { type: 'call', id: 1, channel: 'extensions.remove', request: { key: demoKey } })),
          otherBackend: errorName(await ask(own, { type: 'call', id: 1, channel: 'ddClient.service', request: { key: demoKey, method: 'GET', url: '/hello' } })),
          otherBinary: await window.ddClient.extension.host!.cli.exec('/bin/sh', ['-c', 'id']).then(
            () => 'ran',
            (error: { name?: string }) => error.name,
          ),
          otherExtensionsBinary: errorName(await ask(own, { type: 'open', id: 2, channel: 'ddClient.exec', request: { key: demoKey, scope: 'host', command: 'hello', args: [] } })),
          fileLink: errorName(await ask(own, { type: 'call', id: 3, channel: 'ddClient.openExternal', request: { url: 'file:///etc/passwd' } })),
          frameUrl: await fetch(`http://127.0.0.1:${port}/extension-frame?key=${demoKey}`, { credentials: 'include' }).then(
            (response) => response.status,
            () => 'refused',
          ),
        };
      },
      { port, demoKey },
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

  it('removes an extension with its files, containers and volumes', async () => {
    await page.goto(page.url().replace(/#.*$/, '#/extensions'));
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    await page.getByRole('row', { name: 'Demo' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
    await expect.poll(() => existsSync(join(extensionsDir, key)), { timeout: 60_000 }).toBe(false);
    const left = await docker(instance, ['ps', '--all', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.ID}}']);
    expect(left.stdout.trim()).toBe('');
    await expect.poll(() => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Demo' }).count()).toBe(0);
  });

  async function openTabAfterInstall(title: string, reference: string): Promise<void> {
    await page.goto(page.url().replace(/#.*$/, '#/extensions'));
    await install(reference);
    await expect.poll(() => page.getByRole('row', { name: title }).count(), { timeout: 120_000 }).toBe(1);
    await openTab(title);
  }
});
