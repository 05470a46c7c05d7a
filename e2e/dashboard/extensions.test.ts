import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { muiThemes, type ColourScheme } from '../../src/extension-client/muiThemes';
import type { DdClient } from '../../src/extension-client/types';
import { extensionKey } from '../../src/main/extensions/key';
import { berth, docker, processesWith } from '../support/berth';
import { screenshot } from '../support/browser';
import { extensionsPage, pushDemo } from '../support/extensionDashboard';
import { pushExtensionImages, uiExtension } from '../support/extensionImages';
import { openDashboard, type Dashboard } from '../support/dashboard';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';
import { SERVER_PL } from '../support/extensionBackends';
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

describe(`an extension's page, ${inWindow()}, installed from a registry on 127.0.0.1 once its permissions are accepted`, () => {
  let dashboard: Dashboard | undefined;
  let page: Page;
  let registry: LocalRegistry;
  let demo = '';
  let unlabelled = '';
  const extensionsDir = join(instance.home, 'extensions');
  let pageOf: (title: string) => Promise<Frame>;
  let openTab: (title: string) => Promise<Frame>;
  let install: (reference: string, accept?: boolean) => Promise<void>;

  beforeAll(async () => {
    registry = await startRegistry();
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    demo = await pushDemo(instance, registry, `berth-tests/demo-${stamp}`);
    [unlabelled] = await pushExtensionImages(instance, registry, [{ ...uiExtension(`berth-tests/unlabelled-${stamp}`, '1.0.0', 'Unlabelled'), labels: {} }]);
    dashboard = await openDashboard(instance, '#/extensions', (opened) => opened.getByRole('heading', { name: 'Extensions', exact: true }));
    page = dashboard.page;
    ({ pageOf, openTab, install } = extensionsPage(page));
  }, 300_000);

  afterAll(async () => {
    if (dashboard?.errors.length) console.log(`page errors:\n${dashboard.errors.join('\n')}`);
    await dashboard?.close();
    if (demo) await berth(instance, ['extension', 'rm', demo.replace(/:[^:/]*$/, '')]);
    if (demo) await docker(instance, ['rmi', '-f', demo]);
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  it('refuses an image without the extension labels, saying which, and installs nothing', async () => {
    const installed = () => (existsSync(extensionsDir) ? readdirSync(extensionsDir).sort() : []);
    const before = installed();
    await install(unlabelled, false);
    await expect.poll(() => page.getByText('org.opencontainers.image.title', { exact: false }).count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(installed()).toEqual(before);
  });

  it('shows what an extension may do before installing it, and installs nothing when declined', async () => {
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    await install(demo, false);
    const trust = page.getByRole('alertdialog', { name: 'Install Demo? Once installed it may do this:' });
    await trust.waitFor({ timeout: 180_000 });
    expect(await trust.getByRole('listitem').allTextContents()).toEqual([
      'Runs docker commands on your engine: it can list, start, stop and remove your containers, images and volumes.',
      "Runs a backend service in Berth's VM.",
      'Runs programs it ships on this computer, as you: hello, ticker.',
    ]);
    // Unpacked and checked, but not installed: no record, no backend, no row.
    expect(existsSync(join(extensionsDir, key, 'extension.json'))).toBe(false);
    expect((await docker(instance, ['ps', '-a', '-q', '--filter', `label=berth.extension.key=${key}`])).stdout.trim()).toBe('');
    expect(await page.getByRole('row', { name: 'Demo' }).count()).toBe(0);
    await screenshot(page, 'extension-trust');
    await trust.getByRole('button', { name: 'Do not install' }).click();
    await expect.poll(() => page.getByText('Demo was not installed: what it may do was not accepted.').count(), { timeout: 30_000 }).toBe(1);
    expect(existsSync(join(extensionsDir, key))).toBe(false);
  });

  it('installs it once accepted, with its backend running, and lists it with a tab in the sidebar', async () => {
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

  it('refuses docker commands that would reach past its engine: a leading global option, context, login, logout, PATH, LD_PRELOAD, DOCKER_HOST', async () => {
    const frame = await pageOf('Demo');
    const outcomes = await frame.evaluate(async () => {
      const exec = window.ddClient.docker.cli.exec;
      const outcome = (run: Promise<{ stdout: string }>) => run.then(() => 'ran', (error: { name?: string; message?: string }) => `${error.name}: ${error.message}`);
      return [
        await outcome(exec('-H', ['tcp://127.0.0.1:9', 'ps'])),
        await outcome(exec('--context', ['default', 'ps'])),
        await outcome(exec('context', ['ls'])),
        await outcome(exec('login', ['-u', 'someone', 'registry.example'])),
        await outcome(exec('logout', [])),
        await outcome(exec('ps', [], { env: { PATH: '/tmp' } })),
        await outcome(exec('ps', [], { env: { LD_PRELOAD: '/tmp/evil.so' } })),
        await outcome(exec('ps', [], { env: { DOCKER_HOST: 'tcp://127.0.0.1:9' } })),
        await outcome(exec('ps', ['-q'], { env: { NO_COLOR: '1' } })),
      ];
    });
    const refused = (what: string) => `DockerCommandRefused: An extension may not run docker ${what}.`;
    expect(outcomes).toEqual([
      refused('with the global option -H'),
      refused('with the global option --context'),
      refused('context'),
      refused('login'),
      refused('logout'),
      refused('with PATH set'),
      refused('with LD_PRELOAD set'),
      refused('with DOCKER_HOST set'),
      'ran',
    ]);
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

  it('copies with docker cp to the path the user chose, and nowhere else on this computer', async () => {
    const key = extensionKey(demo.replace(/:[^:/]*$/, ''));
    const container = (await docker(instance, ['ps', '--filter', `label=berth.extension.key=${key}`, '--format', '{{.Names}}'])).stdout.trim();
    const folder = mkdtempSync(join(tmpdir(), 'bt-cp-'));
    writeFileSync(join(folder, 'chosen.txt'), 'x');
    const frame = await pageOf('Demo');
    const answer = frame.evaluate(() => window.ddClient.desktopUI.dialog.showOpenDialog({ properties: ['openFile'] }));
    const chooser = page.getByRole('dialog');
    await chooser.getByLabel('Path', { exact: true }).fill(folder);
    await chooser.getByLabel('Path', { exact: true }).press('Enter');
    await chooser.getByRole('radio', { name: 'chosen.txt' }).check();
    await chooser.getByRole('button', { name: 'Open', exact: true }).click();
    await answer;
    const copies = await frame.evaluate(
      async ({ container, paths }) => {
        const cp = (to: string) => window.ddClient.docker.cli.exec('cp', [`${container}:/server.pl`, to]).then((result) => `exit ${result.code}`, (error: { name?: string; message?: string }) => `${error.name}: ${error.message}`);
        return [await cp(paths[0]), await cp(paths[1])];
      },
      { container, paths: [join(folder, 'chosen.txt'), join(folder, 'other.txt')] },
    );
    expect(copies).toEqual(['exit 0', `DockerCommandRefused: An extension may not run docker cp with ${join(folder, 'other.txt')}, which the user has not chosen.`]);
    expect(readFileSync(join(folder, 'chosen.txt'), 'utf8')).toBe(SERVER_PL);
    expect(existsSync(join(folder, 'other.txt'))).toBe(false);
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
});
