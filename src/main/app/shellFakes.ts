import type { MessageBoxOptions } from 'electron';
import { join } from 'node:path';
import { ContractClient } from '../api/client';
import type { Frame, PayloadOf } from '../api/contract';
import { dispatch, type Handlers } from '../api/dispatch';
import type { EngineState, EngineStatus } from '../api/engine';
import { BerthError } from '../api/errors';
import type { Settings, SettingsState } from '../api/settings';
import { StreamSessions, type StreamHandlers } from '../api/streams';
import type { DaemonConnection } from '../daemon/connect';
import { DaemonLink } from '../daemon/link';
import { homePaths } from '../home';
import { dockerHost } from '../platform/endpoints';
import { defaultSettings } from '../settings/schema';
import { Shell, type ShellApp, type ShellElectron, type ShellTray, type ShellWindow } from './shell';
import type { MenuEntry } from './trayMenu';
import type { Rect, WindowPlacement } from './windowState';

// The shell's unit tests (shell.test.ts, quit.test.ts) drive it through these: Electron's parts as fakes that act as
// Electron does, and a daemon in memory behind the real DaemonLink. Nothing here is built into the app.

export const status = (state: EngineState): EngineStatus => ({
  state,
  dockerHost: dockerHost(homePaths('/tmp/berth').dockerSocket),
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

export const settingsState = (general: Partial<Settings['general']> = {}): SettingsState => {
  const settings = defaultSettings();
  return { settings: { ...settings, general: { ...settings.general, ...general } }, home: '/tmp/berth', dataDisk: null, overridden: [] };
};

/**
 * A daemon in memory behind a real DaemonLink: its calls and streams pass the contract's checks (dispatch,
 * StreamSessions) both ways, so what the shell sends must be what the daemon takes. Every call and stream is recorded.
 */
export function memoryDaemon(dir: string, calls: Partial<Handlers>, streams: Partial<StreamHandlers> = {}) {
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

export class FakeWindow implements ShellWindow {
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
export function fakeElectron(options: { lock?: boolean; displays?: Rect[]; answer?: { response: number; checkboxChecked: boolean } } = {}) {
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
export async function started(
  dir: string,
  options: {
    engine?: EngineState;
    general?: Partial<Settings['general']>;
    platform?: NodeJS.Platform;
    engineEndsWithApp?: boolean;
    electron?: Parameters<typeof fakeElectron>[0];
    calls?: Partial<Handlers>;
    apply?: StreamHandlers['settings.apply'];
    /** Runs once the shell has claimed its instance, while ready() is under way. */
    whileStarting?: (fake: ReturnType<typeof fakeElectron>) => void;
  } = {},
) {
  let engine: EngineState = options.engine ?? 'running';
  const settings = settingsState(options.general);
  const daemon = memoryDaemon(
    dir,
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
    engineEndsWithApp: options.engineEndsWithApp,
  });
  const claimed = shell.claim();
  if (claimed) {
    const ready = shell.ready();
    options.whileStarting?.(fake);
    await ready;
  }
  return { shell, daemon, claimed, ...fake };
}
