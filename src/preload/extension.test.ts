import { createContext, runInContext } from 'node:vm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { muiThemes } from '../extension-client/muiThemes';
import type { DdClient } from '../extension-client/types';
import { EXT_CALL, EXT_CANCEL, EXT_CHUNK, EXT_CONTEXT, EXT_END, EXT_OPEN } from '../main/window/extensionIpc';

/** Electron's preload modules, reduced to what the preload uses, so the test can play the shell's part. */
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => void>();
  return {
    handlers,
    exposed: new Map<string, unknown>(),
    inMainWorld: [] as Array<{ func: (...args: never[]) => unknown; args?: unknown[] }>,
    sent: [] as unknown[][],
    invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
    sendSync: vi.fn<(channel: string) => unknown>(),
  };
});

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (name: string, value: unknown) => electron.exposed.set(name, value),
    executeInMainWorld: (script: { func: (...args: never[]) => unknown; args?: unknown[] }) => electron.inMainWorld.push(script),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    sendSync: electron.sendSync,
    send: (...args: unknown[]) => electron.sent.push(args),
    on: (channel: string, handler: (event: unknown, ...args: unknown[]) => void) => electron.handlers.set(channel, handler),
  },
}));

let client: DdClient;
let pagehide: () => void;

beforeAll(async () => {
  electron.sendSync.mockReturnValue({ image: 'acme/ext:2', platform: 'darwin', arch: 'arm64', hostname: 'mac' });
  vi.stubGlobal('addEventListener', (type: string, listener: () => void) => {
    if (type === 'pagehide') pagehide = listener;
  });
  await import('./extension');
  client = electron.exposed.get('ddClient') as DdClient;
});

const shell = (channel: string, ...args: unknown[]) => electron.handlers.get(channel)!({}, ...args);

describe('the extension preload', () => {
  it('exposes ddClient with the context the shell gives synchronously', () => {
    expect(electron.sendSync).toHaveBeenCalledWith(EXT_CONTEXT);
    expect(client.extension.image).toBe('acme/ext:2');
    expect(client.host).toMatchObject({ platform: 'darwin', arch: 'arm64', hostname: 'mac' });
  });

  it('carries calls over invoke and rejects with the error as a plain object', async () => {
    electron.invoke.mockResolvedValueOnce({ result: [{ Id: 'c' }] });
    expect(await client.docker.listContainers()).toEqual([{ Id: 'c' }]);
    expect(electron.invoke).toHaveBeenLastCalledWith(EXT_CALL, 'ddClient.listContainers', {});

    electron.invoke.mockResolvedValueOnce({ error: { name: 'NotFound', message: 'No container x.', hint: 'h' } });
    const error = await client.desktopUI.navigate.viewContainer('x').catch((e: unknown) => e);
    expect(error).toEqual({ name: 'NotFound', message: 'No container x.', hint: 'h' });
    expect(error).not.toBeInstanceOf(Error);
  });

  it('opens streams, takes chunks and the end by id, and cancels', async () => {
    const pending = client.extension.host.cli.exec('tool', ["'a'"]);
    const [channel, id, name, request] = electron.sent.at(-1)!;
    expect([channel, name, request]).toEqual([EXT_OPEN, 'ddClient.exec', { scope: 'host', command: 'tool', args: ['a'] }]);
    shell(EXT_CHUNK, id, { stdout: 'hi' });
    shell(EXT_CHUNK, id, { exit: 0, signal: null });
    shell(EXT_END, id, null);
    expect((await pending).stdout).toBe('hi');

    const proc = client.docker.cli.exec('logs', ['-f', 'web'], { stream: {} });
    const streamId = electron.sent.at(-1)![1];
    proc.close();
    expect(electron.sent.at(-1)).toEqual([EXT_CANCEL, streamId]);
  });

  it("puts the MUI themes in the page's world from the function's source alone, as Electron runs it", () => {
    expect(electron.inMainWorld).toHaveLength(1);
    const [{ func, args }] = electron.inMainWorld;
    const page = createContext({});
    runInContext('var window = this;', page);
    runInContext(`(${func.toString()})(...${JSON.stringify(args)})`, page);
    const { __ddMuiV5Themes: v5, __ddMuiV6Themes: v6 } = runInContext('window', page) as Record<string, unknown>;
    expect(v5).toEqual(muiThemes);
    expect(v6).toEqual(muiThemes);
    expect(v5).not.toBe(v6);
    expect(Object.isFrozen(v5)).toBe(false);
  });

  it('cancels the streams still open when the page goes away', () => {
    client.docker.cli.exec('events', [], { stream: {} });
    const streamId = electron.sent.at(-1)![1];
    pagehide();
    expect(electron.sent.at(-1)).toEqual([EXT_CANCEL, streamId]);
  });
});
