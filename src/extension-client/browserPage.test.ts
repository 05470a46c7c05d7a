import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInContext, createContext } from 'node:vm';
import { build } from 'electron-vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../main/api/contract';
import { muiThemes } from './muiThemes';

/**
 * The page script as `npm run build` makes it (built here from the real config into a scratch folder, preload
 * entries only), run the way the browser-mode server serves it: the context line, then the file, as a classic script.
 */
let dir: string;
let script: string;

beforeAll(async () => {
  // Inside node_modules so that the config's own imports resolve from the scratch folder.
  const cache = resolve('node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'berth-ddclient-'));
  const configFile = join(dir, 'preload.config.ts');
  writeFileSync(configFile, `import config from ${JSON.stringify(resolve('electron.vite.config.ts'))};\nexport default { preload: config.preload };\n`);
  await build({ configFile, root: resolve('.'), build: { outDir: join(dir, 'out') }, logLevel: 'silent', ignoreConfigWarning: true });
  script = readFileSync(join(dir, 'out', 'preload', 'ddclient.js'), 'utf8');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

class FakeWebSocket {
  static last: FakeWebSocket | null = null;
  readyState = 0;
  readonly sent: Frame[] = [];
  private readonly listeners: Record<string, ((event: { data?: unknown }) => void)[]> = {};

  constructor(readonly url: string) {
    FakeWebSocket.last = this;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Frame);
  }

  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void {
    (this.listeners[type] ??= []).push(listener);
  }

  fire(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    for (const listener of this.listeners[type] ?? []) listener({ data });
  }
}

function loadPage() {
  const page = createContext({ location: { protocol: 'http:', host: 'a1b2c3d4e5f60718.ext.localhost:4567' }, WebSocket: FakeWebSocket, console });
  runInContext('globalThis.window = globalThis;', page);
  const context = { image: 'acme/tool:1.0', platform: 'linux', arch: 'arm64', hostname: 'box' };
  runInContext(`window.__berthExtension = ${JSON.stringify(context)};\n${script}`, page, { filename: 'ddclient.js' });
  return page as unknown as { ddClient: Record<string, any>; [name: string]: unknown };
}

describe('the built page script', () => {
  it('is one classic script: nothing to import, require or export', () => {
    expect(script).not.toMatch(/\brequire\(/);
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
    expect(script).not.toMatch(/\bexports\b/);
  });

  it('defines a frozen, non-writable window.ddClient with the context and keeps its own names private', () => {
    const page = loadPage();
    const { ddClient } = page;
    expect(ddClient.extension.image).toBe('acme/tool:1.0');
    expect(ddClient.host.arch).toBe('arm64');
    expect(typeof ddClient.docker.cli.exec).toBe('function');
    expect(typeof ddClient.execDockerCmd).toBe('function');
    expect(Object.getOwnPropertyDescriptor(page, 'ddClient')).toMatchObject({ writable: false, configurable: false });
    expect(Object.isFrozen(ddClient.desktopUI.toast)).toBe(true);
    expect(runInContext('typeof createDdClient + typeof client + typeof socketTransport', page as never)).toBe('undefinedundefinedundefined');
  });

  it("defines both MUI theme globals, as Berth's themes, writable for pages that set their own", () => {
    const page = loadPage();
    expect(page.__ddMuiV5Themes).toEqual(muiThemes);
    expect(page.__ddMuiV6Themes).toEqual(muiThemes);
    expect(page.__ddMuiV5Themes).not.toBe(page.__ddMuiV6Themes);
    runInContext('window.__ddMuiV6Themes = { light: {}, dark: {} };', page as never);
    expect(page.__ddMuiV6Themes).toEqual({ light: {}, dark: {} });
  });

  it('talks to Berth over a WebSocket on its own origin, queueing until it opens', async () => {
    const page = loadPage();
    const socket = FakeWebSocket.last!;
    expect(socket.url).toBe('ws://a1b2c3d4e5f60718.ext.localhost:4567/__berth/ddclient');
    const listing = page.ddClient.docker.listContainers({ all: true }) as Promise<unknown>;
    await Promise.resolve();
    expect(socket.sent).toEqual([]);
    socket.fire('open');
    expect(socket.sent).toEqual([{ type: 'call', id: 1, channel: 'ddClient.listContainers', request: { options: { all: true } } }]);
    socket.fire('message', JSON.stringify({ type: 'reply', id: 1, result: [{ Id: 'c' }] }));
    expect(await listing).toEqual([{ Id: 'c' }]);

    const exec = page.ddClient.extension.vm.cli.exec('ls', ['"/data"']) as Promise<{ stdout: string }>;
    expect(socket.sent[1]).toEqual({ type: 'open', id: 2, channel: 'ddClient.exec', request: { scope: 'vm', command: 'ls', args: ['/data'] } });
    socket.fire('message', JSON.stringify({ type: 'chunk', id: 2, payload: { stdout: 'f\n' } }));
    socket.fire('message', JSON.stringify({ type: 'chunk', id: 2, payload: { exit: 0, signal: null } }));
    socket.fire('message', JSON.stringify({ type: 'end', id: 2 }));
    expect((await exec).stdout).toBe('f\n');

    const waiting = page.ddClient.desktopUI.navigate.viewImages() as Promise<void>;
    socket.fire('close');
    await expect(waiting).rejects.toMatchObject({ name: 'BridgeClosed' });
  });
});
