import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BerthError } from '../api/errors';
import { settingsState, started, status } from './shellFakes';
import type { WindowPlacement } from './windowState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('one instance', () => {
  it('quits at once, touching nothing, when another Berth holds the lock', async () => {
    const { claimed, record, listensTo } = await started(dir, { electron: { lock: false } });
    expect(claimed).toBe(false);
    expect(record.quitted).toBe(true);
    expect(record.windows).toEqual([]);
    expect(listensTo('second-instance')).toBe(false);
  });

  it('brings its window forward when Berth is launched again, opening it when only the tray was left', async () => {
    const { record, emitApp, shownWindow } = await started(dir);
    expect(record.windows).toHaveLength(1);
    emitApp('second-instance');
    expect(record.windows).toHaveLength(1);
    expect(record.windows[0]!.focused).toBe(1);
    shownWindow()!.close();
    emitApp('second-instance');
    expect(record.windows).toHaveLength(2);
    expect(shownWindow()).toBe(record.windows[1]);
    // macOS: a click on the Dock icon.
    shownWindow()!.close();
    emitApp('activate');
    expect(record.windows).toHaveLength(3);
  });

  it('stays in the tray when its window closes', async () => {
    const { record, emitApp, shownWindow, listensTo } = await started(dir);
    shownWindow()!.close();
    // Electron quits with the last window unless someone listens.
    expect(listensTo('window-all-closed')).toBe(true);
    emitApp('window-all-closed');
    expect(record.quitted).toBe(false);
    record.trayClick();
    expect(shownWindow()).toBe(record.windows[1]);
  });
});

describe('the tray', () => {
  it("shows the engine's state from engine.status and then engine.changed, with the moves it allows", async () => {
    const { daemon, entry, record, stateLine } = await started(dir, { engine: 'running' });
    expect(entry('Engine: running').enabled).toBe(false);
    expect(stateLine()).toBe('Engine: running');
    expect(record.toolTip).toBe('Berth: Engine: running');
    expect([entry('Start').enabled, entry('Stop').enabled, entry('Restart').enabled]).toEqual([false, true, true]);
    daemon.emit('engine.changed', status('stopping'));
    expect([entry('Engine: stopping').enabled, entry('Start').enabled, entry('Stop').enabled, entry('Restart').enabled]).toEqual([false, false, false, false]);
    daemon.emit('engine.changed', status('stopped'));
    expect([entry('Start').enabled, entry('Stop').enabled]).toEqual([true, false]);
  });

  it('calls engine.stop, engine.start and engine.restart on the daemon, and shows the answer', async () => {
    const { daemon, entry, stateLine } = await started(dir, { engine: 'running' });
    entry('Stop').click!();
    await expect.poll(() => daemon.called('engine.stop')).toHaveLength(1);
    await expect.poll(() => entry('Start').enabled).toBe(true);
    expect(stateLine()).toBe('Engine: stopped');
    entry('Start').click!();
    await expect.poll(() => entry('Stop').enabled).toBe(true);
    entry('Restart').click!();
    await expect.poll(() => daemon.called('engine.restart')).toHaveLength(1);
    expect(daemon.called('engine.start')).toEqual([{ channel: 'engine.start', request: {} }]);
  });

  it('says why when the daemon refuses a move', async () => {
    const { entry, record } = await started(dir, {
      engine: 'error',
      calls: {
        'engine.restart': async () => {
          throw new BerthError('EngineBusy', 'The engine is stopping.', 'Try again once it has stopped.');
        },
      },
    });
    entry('Restart').click!();
    await expect.poll(() => record.errors).toEqual([{ title: 'Berth could not restart the engine', content: 'The engine is stopping.\n\nTry again once it has stopped.' }]);
  });

  it('opens Settings and Troubleshoot in the window, opening it when it is closed', async () => {
    const { entry, record, shownWindow } = await started(dir, { general: { openWindowAtStart: false } });
    expect(record.windows).toEqual([]);
    entry('Settings').click!();
    expect(record.windows.map((win) => win.route)).toEqual(['#/settings']);
    entry('Troubleshoot').click!();
    expect(record.windows).toHaveLength(1);
    expect(shownWindow()!.routes).toEqual(['#/troubleshoot']);
    expect(shownWindow()!.focused).toBe(1);
    entry('Open Berth').click!();
    expect(shownWindow()!.routes).toEqual(['#/troubleshoot']);
    expect(shownWindow()!.focused).toBe(2);
  });

  it('shows the engine as unknown when the daemon goes away, asks it again, and reloads the window at most every 10 s', async () => {
    const { daemon, stateLine, record, shownWindow } = await started(dir, { engine: 'running' });
    daemon.drop();
    await expect.poll(() => shownWindow()!.reloads).toBe(1);
    expect(record.menus.map((entries) => entries[0])).toContainEqual({ label: 'Engine: unknown', enabled: false });
    // The link asks again, which brings a daemon back, and the tray shows its answer.
    await expect.poll(() => daemon.called('engine.status')).toHaveLength(2);
    await expect.poll(stateLine).toBe('Engine: running');
    daemon.drop();
    await expect.poll(stateLine).toBe('Engine: unknown');
    expect(shownWindow()!.reloads).toBe(1);
  });
});

describe('launch', () => {
  it('starts a stopped engine, and opens the window as the General settings say', async () => {
    const { daemon, record } = await started(dir, { engine: 'stopped' });
    expect(daemon.called('engine.start')).toHaveLength(1);
    expect(record.windows.map((win) => win.route)).toEqual(['']);
  });

  it('starts in the tray alone when the window is not to open at start, even as macOS activates the app', async () => {
    const { record, menu, emitApp } = await started(dir, {
      engine: 'running',
      general: { openWindowAtStart: false },
      whileStarting: (fake) => fake.emitApp('activate'),
    });
    expect(record.windows).toEqual([]);
    expect(menu().length).toBeGreaterThan(0);
    // Once started, a click on the Dock icon opens it.
    emitApp('activate');
    expect(record.windows).toHaveLength(1);
  });

  it('leaves an engine in error as it is: the window says why', async () => {
    const { daemon, record } = await started(dir, { engine: 'error' });
    expect(daemon.called('engine.start')).toEqual([]);
    expect(record.windows).toHaveLength(1);
  });
});

describe('the General settings', () => {
  it('sets start at login and the theme at start, and again whenever settings.changed arrives', async () => {
    const { daemon, record, electron } = await started(dir, { general: { startAtLogin: true, theme: 'dark' } });
    expect(record.loginItems).toEqual([{ openAtLogin: true }]);
    expect(electron.nativeTheme.themeSource).toBe('dark');
    daemon.emit('settings.changed', settingsState({ startAtLogin: false, theme: 'light' }));
    expect(record.loginItems).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
    expect(electron.nativeTheme.themeSource).toBe('light');
    // A change elsewhere in the settings applies the same again: nothing else moves.
    daemon.emit('settings.changed', settingsState({ startAtLogin: false, theme: 'light' }));
    expect(record.loginItems).toHaveLength(3);
    expect(record.windows).toHaveLength(1);
  });

  it('writes the autostart entry on Linux', async () => {
    const { daemon } = await started(dir, { platform: 'linux', general: { startAtLogin: true } });
    const entry = join(dir, 'autostart', 'berth.desktop');
    expect(readFileSync(entry, 'utf8')).toContain('Exec="/opt/Berth/berth"');
    daemon.emit('settings.changed', settingsState({ startAtLogin: false }));
    expect(existsSync(entry)).toBe(false);
  });

  it('says so when start at login cannot be set', async () => {
    // A file where the autostart folder should be.
    writeFileSync(join(dir, 'autostart'), '');
    const { record } = await started(dir, { platform: 'linux', general: { startAtLogin: true } });
    expect(record.errors.map((error) => error.title)).toEqual(['Berth could not set Berth to start at login']);
    expect(record.errors[0]!.content).toContain('Settings, General');
  });
});

describe("the window's placement", () => {
  const saved: WindowPlacement = { x: 2000, y: 300, width: 1200, height: 800, maximized: true };

  it('is restored when it still lies on a connected display, and saved again on close', async () => {
    writeFileSync(join(dir, 'window.json'), JSON.stringify(saved));
    const { record, shownWindow } = await started(dir, { electron: { displays: [{ x: 0, y: 0, width: 1920, height: 1050 }, { x: 1920, y: 0, width: 1920, height: 1050 }] } });
    expect(record.windows[0]!.opened).toEqual(saved);
    shownWindow()!.current = { x: 40, y: 50, width: 900, height: 700, maximized: false };
    shownWindow()!.close();
    expect(JSON.parse(readFileSync(join(dir, 'window.json'), 'utf8'))).toEqual({ x: 40, y: 50, width: 900, height: 700, maximized: false });
  });

  it('is not restored on a display since unplugged, nor from a bad file', async () => {
    writeFileSync(join(dir, 'window.json'), JSON.stringify(saved));
    const unplugged = await started(dir, { electron: { displays: [{ x: 0, y: 0, width: 1920, height: 1050 }] } });
    expect(unplugged.record.windows[0]!.opened).toBeNull();
    writeFileSync(join(dir, 'window.json'), '{"x": "left"}');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const bad = await started(dir);
    expect(bad.record.windows[0]!.opened).toBeNull();
    expect(warn.mock.calls[0]?.[0]).toContain(join(dir, 'window.json'));
    warn.mockRestore();
  });
});
