import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageBoxOptions } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractClient } from '../api/client';
import type { Frame, PayloadOf } from '../api/contract';
import type { Handlers } from '../api/dispatch';
import { dispatch } from '../api/dispatch';
import type { EngineState, EngineStatus } from '../api/engine';
import { BerthError } from '../api/errors';
import type { Settings, SettingsState } from '../api/settings';
import { StreamSessions, type StreamHandlers } from '../api/streams';
import type { DaemonConnection } from '../daemon/connect';
import { DaemonLink } from '../daemon/link';
import { homePaths } from '../home';
import { defaultSettings } from '../settings/schema';
import { QUIT_QUESTION } from './quit';
import { Shell, type ShellApp, type ShellElectron, type ShellTray, type ShellWindow } from './shell';
import type { MenuEntry } from './trayMenu';
import type { Rect, WindowPlacement } from './windowState';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-shell-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const status = (state: EngineState): EngineStatus => ({
  state,
  dockerHost: 'unix:///tmp/berth/docker.sock',
  context: 'berth',
  accelerator: null,
  acceleratorReason: null,
  network: 'normal',
  startMs: null,
  steps: [],
  error: null,
  versions: {},
  logs: { daemon: '/tmp/berth/daemon.log', console: '/tmp/berth/console.log' },
  ports: [],
  suspended: null,
});

const settingsState = (general: Partial<Settings['general']> = {}): SettingsState => {
  const settings = defaultSettings();
  return { settings: { ...settings, general: { ...settings.general, ...general } }, home: '/tmp/berth', dataDisk: null, overridden: [] };
};

/**
 * A daemon in memory behind a real DaemonLink: its calls and streams pass the contract's checks (dispatch,
 * StreamSessions) both ways, so what the shell sends must be what the daemon takes. Every call and stream is recorded.
 */
function memoryDaemon(calls: Partial<Handlers>, streams: Partial<StreamHandlers> = {}) {
  const seen: { channel: string; request: unknown }[] = [];
  let client: ContractClient | null = null;
  let drop = (): void => undefined;
  const connect = async (): Promise<DaemonConnection> => {
    let closed!: () => void;
    const connection: ContractClient = new ContractClient((frame: Frame) => {
      if (frame.type === 'call' || frame.type === 'open') seen.push({ channel: frame.channel, request: frame.request });
      if (frame.type === 'call') void dispatch(calls as Handlers, frame).then((reply) => reply && connection.receive(reply));
      else sessions.receive(frame);
    });
    const sessions = new StreamSessions(streams as StreamHandlers, (frame) => connection.receive(frame));
    client = connection;
    drop = () => {
      connection.fail(new BerthError('DaemonGone', 'The Berth daemon went away.', 'Start it again.'));
      closed();
    };
    return { client: connection, close: () => drop(), closed: new Promise<void>((resolve) => (closed = resolve)) };
  };
  return {
    link: new DaemonLink(homePaths(dir), connect),
    seen,
    called: (channel: string) => seen.filter((entry) => entry.channel === channel),
    emit<E extends 'engine.changed' | 'settings.changed'>(channel: E, payload: PayloadOf<E>) {
      client?.receive({ type: 'event', channel, payload });
    },
    drop: () => drop(),
  };
}

class FakeWindow implements ShellWindow {
  focused = 0;
  reloads = 0;
  closed = false;
  routes: string[] = [];
  current: WindowPlacement;
  private readonly listeners = { placed: [] as (() => void)[], close: [] as (() => void)[], closed: [] as (() => void)[] };

  constructor(
    readonly opened: WindowPlacement | null,
    readonly route: string,
  ) {
    this.current = opened ?? { x: 170, y: 80, width: 1100, height: 720, maximized: false };
  }

  focus = () => void this.focused++;
  showRoute = (route: string) => void this.routes.push(route);
  reload = () => void this.reloads++;
  placement = () => this.current;
  onPlaced = (listener: () => void) => void this.listeners.placed.push(listener);
  onClose = (listener: () => void) => void this.listeners.close.push(listener);
  onClosed = (listener: () => void) => void this.listeners.closed.push(listener);

  close(): void {
    this.closed = true;
    for (const listener of [...this.listeners.close, ...this.listeners.closed]) listener();
  }
}

/** Electron's parts as the shell uses them, acting as Electron does: app.quit() emits before-quit, which may prevent it. */
function fakeElectron(options: { lock?: boolean; displays?: Rect[]; answer?: { response: number; checkboxChecked: boolean } } = {}) {
  const listeners = new Map<string, ((event: { preventDefault(): void }) => void)[]>();
  const record = {
    quitted: false,
    loginItems: [] as { openAtLogin: boolean }[],
    windows: [] as FakeWindow[],
    menus: [] as MenuEntry[][],
    toolTip: '',
    trayClick: (): void => undefined,
    questions: [] as MessageBoxOptions[],
    errors: [] as { title: string; content: string }[],
    answer: options.answer ?? { response: 0, checkboxChecked: false },
  };
  const app: ShellApp = {
    requestSingleInstanceLock: () => options.lock ?? true,
    on(event: string, listener: (event: { preventDefault(): void }) => void) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    },
    quit() {
      let prevented = false;
      for (const listener of listeners.get('before-quit') ?? []) listener({ preventDefault: () => (prevented = true) });
      if (!prevented) record.quitted = true;
    },
    setLoginItemSettings: (settings) => void record.loginItems.push(settings),
  };
  const tray: ShellTray = {
    setMenu: (entries) => void record.menus.push(entries),
    setToolTip: (text) => void (record.toolTip = text),
    onClick: (listener) => void (record.trayClick = listener),
  };
  const electron: ShellElectron = {
    app,
    screen: { getAllDisplays: () => (options.displays ?? [{ x: 0, y: 0, width: 1920, height: 1050 }]).map((workArea) => ({ workArea })) },
    nativeTheme: { themeSource: 'system' },
    dialog: {
      showMessageBox: async (question) => {
        record.questions.push(question);
        return record.answer;
      },
      showErrorBox: (title, content) => void record.errors.push({ title, content }),
    },
    createTray: () => tray,
    openWindow(placement, route) {
      const win = new FakeWindow(placement, route);
      record.windows.push(win);
      return win;
    },
  };
  const menu = () => record.menus.at(-1) ?? [];
  const labelOf = (entry: MenuEntry | undefined): string | null => (entry && 'label' in entry ? entry.label : null);
  return {
    electron,
    record,
    emitApp: (event: string) => listeners.get(event)?.forEach((listener) => listener({ preventDefault: () => undefined })),
    listensTo: (event: string) => listeners.has(event),
    menu,
    /** The menu's first line: the engine's state. */
    stateLine: () => labelOf(menu()[0]),
    entry(label: string) {
      const found = menu().find((entry) => 'label' in entry && entry.label === label);
      if (!found || !('label' in found)) throw new Error(`no tray entry "${label}"`);
      return found;
    },
    shownWindow: () => record.windows.filter((win) => !win.closed).at(-1),
  };
}

/** A shell over a fake Electron and a daemon in memory; `engine` is what engine.status answers. */
async function started(
  options: {
    engine?: EngineState;
    general?: Partial<Settings['general']>;
    platform?: NodeJS.Platform;
    electron?: Parameters<typeof fakeElectron>[0];
    calls?: Partial<Handlers>;
    apply?: StreamHandlers['settings.apply'];
  } = {},
) {
  let engine: EngineState = options.engine ?? 'running';
  const settings = settingsState(options.general);
  const daemon = memoryDaemon(
    {
      'settings.get': async () => settings,
      'engine.status': async () => status(engine),
      'engine.start': async () => status((engine = 'running')),
      'engine.stop': async () => status((engine = 'stopped')),
      'engine.restart': async () => status((engine = 'running')),
      ...options.calls,
    },
    { 'settings.apply': options.apply ?? (async () => undefined) },
  );
  const fake = fakeElectron(options.electron);
  const shell = new Shell(fake.electron, daemon.link, {
    platform: options.platform ?? 'darwin',
    windowState: join(dir, 'window.json'),
    autostartFile: join(dir, 'autostart', 'berth.desktop'),
    command: ['/opt/Berth/berth'],
  });
  const claimed = shell.claim();
  if (claimed) await shell.ready();
  return { shell, daemon, claimed, ...fake };
}

describe('one instance', () => {
  it('quits at once, touching nothing, when another Berth holds the lock', async () => {
    const { claimed, record, listensTo } = await started({ electron: { lock: false } });
    expect(claimed).toBe(false);
    expect(record.quitted).toBe(true);
    expect(record.windows).toEqual([]);
    expect(listensTo('second-instance')).toBe(false);
  });

  it('brings its window forward when Berth is launched again, opening it when only the tray was left', async () => {
    const { record, emitApp, shownWindow } = await started();
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
    const { record, emitApp, shownWindow, listensTo } = await started();
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
    const { daemon, entry, record, stateLine } = await started({ engine: 'running' });
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
    const { daemon, entry, stateLine } = await started({ engine: 'running' });
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
    const { entry, record } = await started({
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
    const { entry, record, shownWindow } = await started({ general: { openWindowAtStart: false } });
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
    const { daemon, stateLine, record, shownWindow } = await started({ engine: 'running' });
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
    const { daemon, record } = await started({ engine: 'stopped' });
    expect(daemon.called('engine.start')).toHaveLength(1);
    expect(record.windows.map((win) => win.route)).toEqual(['']);
  });

  it('starts in the tray alone when the window is not to open at start', async () => {
    const { record, menu } = await started({ engine: 'running', general: { openWindowAtStart: false } });
    expect(record.windows).toEqual([]);
    expect(menu().length).toBeGreaterThan(0);
  });

  it('leaves an engine in error as it is: the window says why', async () => {
    const { daemon, record } = await started({ engine: 'error' });
    expect(daemon.called('engine.start')).toEqual([]);
    expect(record.windows).toHaveLength(1);
  });
});

describe('the General settings', () => {
  it('sets start at login and the theme at start, and again whenever settings.changed arrives', async () => {
    const { daemon, record, electron } = await started({ general: { startAtLogin: true, theme: 'dark' } });
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
    const { daemon } = await started({ platform: 'linux', general: { startAtLogin: true } });
    const entry = join(dir, 'autostart', 'berth.desktop');
    expect(readFileSync(entry, 'utf8')).toContain('Exec="/opt/Berth/berth"');
    daemon.emit('settings.changed', settingsState({ startAtLogin: false }));
    expect(existsSync(entry)).toBe(false);
  });

  it('says so when start at login cannot be set', async () => {
    // A file where the autostart folder should be.
    writeFileSync(join(dir, 'autostart'), '');
    const { record } = await started({ platform: 'linux', general: { startAtLogin: true } });
    expect(record.errors.map((error) => error.title)).toEqual(['Berth could not set Berth to start at login']);
    expect(record.errors[0]!.content).toContain('Settings, General');
  });
});

describe("the window's placement", () => {
  const saved: WindowPlacement = { x: 2000, y: 300, width: 1200, height: 800, maximized: true };

  it('is restored when it still lies on a connected display, and saved again on close', async () => {
    writeFileSync(join(dir, 'window.json'), JSON.stringify(saved));
    const { record, shownWindow } = await started({ electron: { displays: [{ x: 0, y: 0, width: 1920, height: 1050 }, { x: 1920, y: 0, width: 1920, height: 1050 }] } });
    expect(record.windows[0]!.opened).toEqual(saved);
    shownWindow()!.current = { x: 40, y: 50, width: 900, height: 700, maximized: false };
    shownWindow()!.close();
    expect(JSON.parse(readFileSync(join(dir, 'window.json'), 'utf8'))).toEqual({ x: 40, y: 50, width: 900, height: 700, maximized: false });
  });

  it('is not restored on a display since unplugged, nor from a bad file', async () => {
    writeFileSync(join(dir, 'window.json'), JSON.stringify(saved));
    const unplugged = await started({ electron: { displays: [{ x: 0, y: 0, width: 1920, height: 1050 }] } });
    expect(unplugged.record.windows[0]!.opened).toBeNull();
    writeFileSync(join(dir, 'window.json'), '{"x": "left"}');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const bad = await started();
    expect(bad.record.windows[0]!.opened).toBeNull();
    expect(warn.mock.calls[0]?.[0]).toContain(join(dir, 'window.json'));
    warn.mockRestore();
  });
});

describe('quitting', () => {
  it('asks, and with Stop stops the engine before it quits', async () => {
    const { daemon, record, entry } = await started({ engine: 'running', electron: { answer: { response: 0, checkboxChecked: false } } });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toEqual([QUIT_QUESTION]);
    expect(QUIT_QUESTION.checkboxLabel).toBe('Remember my answer');
    expect(daemon.called('engine.stop')).toHaveLength(1);
    expect(daemon.called('settings.apply')).toEqual([]);
  });

  it('asks, and with Leave it running quits without touching the engine', async () => {
    const { daemon, record, entry } = await started({ engine: 'running', electron: { answer: { response: 1, checkboxChecked: false } } });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(daemon.called('engine.stop')).toEqual([]);
  });

  it('remembers the answer through settings.apply, all the settings as they were but general.quit', async () => {
    const applied: Settings[] = [];
    const { daemon, record, entry } = await started({
      engine: 'running',
      electron: { answer: { response: 1, checkboxChecked: true } },
      apply: async ({ settings }, session) => {
        session.send({ step: 'save', label: 'Save the settings', state: 'done' });
        applied.push(settings);
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    const before = settingsState().settings;
    expect(applied).toEqual([{ ...before, general: { ...before.general, quit: 'keep' } }]);
    expect(daemon.called('engine.stop')).toEqual([]);
  });

  it('stays when the user cancels, and asks again at the next quit', async () => {
    const { record, entry, electron } = await started({ engine: 'running', electron: { answer: { response: 2, checkboxChecked: true } } });
    entry('Quit').click!();
    await expect.poll(() => record.questions).toHaveLength(1);
    await new Promise((done) => setTimeout(done, 20));
    expect(record.quitted).toBe(false);
    record.answer = { response: 1, checkboxChecked: false };
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toHaveLength(2);
  });

  it('does not ask when an answer was remembered', async () => {
    const stop = await started({ engine: 'running', general: { quit: 'stop' } });
    stop.electron.app.quit();
    await expect.poll(() => stop.record.quitted).toBe(true);
    expect(stop.daemon.called('engine.stop')).toHaveLength(1);
    const keep = await started({ engine: 'running', general: { quit: 'keep' } });
    keep.electron.app.quit();
    await expect.poll(() => keep.record.quitted).toBe(true);
    expect(keep.daemon.called('engine.stop')).toEqual([]);
    expect([...stop.record.questions, ...keep.record.questions]).toEqual([]);
  });

  it('does not ask when the engine is stopped', async () => {
    const { record, daemon, electron } = await started({ engine: 'error' });
    daemon.emit('engine.changed', status('stopped'));
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toEqual([]);
  });

  it('asks once however many times Quit is chosen while the question is open', async () => {
    const { record, electron } = await started({ engine: 'running', electron: { answer: { response: 1, checkboxChecked: false } } });
    electron.app.quit();
    electron.app.quit();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.questions).toHaveLength(1);
  });

  it('quits with the answer even when it cannot be remembered, and says so', async () => {
    const { record, daemon, entry } = await started({
      engine: 'running',
      electron: { answer: { response: 0, checkboxChecked: true } },
      apply: async () => {
        throw new BerthError('SettingsUnwritable', 'settings.json could not be written.', 'Check that the Berth folder is writable.');
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(daemon.called('engine.stop')).toHaveLength(1);
    expect(record.errors).toEqual([
      {
        title: 'Berth could not remember your answer',
        content: 'settings.json could not be written.\n\nCheck that the Berth folder is writable.\n\nIt asks again next time; the answer can be set in Settings, General.',
      },
    ]);
  });

  it('quits even when the engine does not stop, saying how to stop it', async () => {
    const { record, entry } = await started({
      engine: 'running',
      general: { quit: 'stop' },
      calls: {
        'engine.stop': async () => {
          throw new BerthError('GuestUnreachable', 'The VM did not answer.', 'Read the daemon log.');
        },
      },
    });
    entry('Quit').click!();
    await expect.poll(() => record.quitted).toBe(true);
    expect(record.errors.map((error) => error.title)).toEqual(['The engine did not stop']);
    expect(record.errors[0]!.content).toContain('`berth stop`');
  });
});
