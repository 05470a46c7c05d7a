import { beforeAll, describe, expect, it, vi } from 'vitest';
import { NAVIGATE } from '../main/window/ipc';

/** Electron's preload modules, reduced to what the window's preload uses, so the test can play the shell's part. */
const electron = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => void>(),
  exposed: new Map<string, unknown>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (name: string, value: unknown) => electron.exposed.set(name, value) },
  ipcRenderer: {
    on: (channel: string, handler: (event: unknown, ...args: unknown[]) => void) => electron.handlers.set(channel, handler),
    send: () => undefined,
    invoke: async () => ({ result: null }),
  },
}));

const page = { hash: '#/containers' };

beforeAll(async () => {
  vi.stubGlobal('location', page);
  await import('./index');
});

describe('the window preload', () => {
  it('exposes the contract to the page', () => {
    expect(Object.keys(electron.exposed.get('berth') as object).sort()).toEqual(['invoke', 'on', 'showExtension', 'stream']);
  });

  it("follows the shell to one of the window's views, and to nothing else", () => {
    const navigate = (route: unknown) => electron.handlers.get(NAVIGATE)!({}, route);
    navigate('#/settings');
    expect(page.hash).toBe('#/settings');
    navigate('#/troubleshoot');
    expect(page.hash).toBe('#/troubleshoot');
    for (const route of ['javascript:alert(1)', 'https://example.com/#/settings', '#/settings?x=<b>', '#settings', 42, null]) navigate(route);
    expect(page.hash).toBe('#/troubleshoot');
  });
});
