import { EngineStatus, type EngineState } from '../api/engine';
import { Settings, SettingsState } from '../api/settings';
import type { Link } from '../daemon/link';
import { setStartAtLogin } from './loginItem';
import { decideQuit, inWords, type QuitChoice, type QuitDialog } from './quit';
import { engineLabel, trayMenu, type MenuEntry } from './trayMenu';
import { fitsDisplays, keepPlacement, readPlacement, type PlacedWindow, type Rect, type WindowPlacement } from './windowState';

/** The window's views the tray opens, as routes of its hash history. */
export const ROUTES = { settings: '#/settings', troubleshoot: '#/troubleshoot' } as const;

/** How often at most the window reloads after the daemon went away (a daemon that keeps failing is not hammered). */
const RELOAD_GAP_MS = 10_000;

export interface ShellWindow extends PlacedWindow {
  /** Brings it forward: restored when minimized, shown and focused. */
  focus(): void;
  /** Shows one of its views, by a route such as #/settings. */
  showRoute(route: string): void;
  reload(): void;
  onClosed(listener: () => void): void;
}

export interface ShellTray {
  setMenu(entries: MenuEntry[]): void;
  setToolTip(text: string): void;
  onClick(listener: () => void): void;
}

/** The part of Electron's app the shell uses. */
export interface ShellApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance' | 'activate' | 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

/** Electron as the shell sees it; tests hand in their own. */
export interface ShellElectron {
  app: ShellApp;
  screen: { getAllDisplays(): { workArea: Rect }[] };
  nativeTheme: { themeSource: Settings['general']['theme'] };
  dialog: QuitDialog;
  createTray(): ShellTray;
  /** A new window at `placement` (where the system puts it when null), showing `route` ('' for the first view). */
  openWindow(placement: WindowPlacement | null, route: string): ShellWindow;
}

export interface ShellOptions {
  platform: NodeJS.Platform;
  /** Where the window's placement is kept (HomePaths.windowState). */
  windowState: string;
  /** The Linux desktop entry that starts Berth at login, and the command in it. */
  autostartFile: string;
  command: readonly string[];
  /**
   * The engine cannot outlive the app: an AppImage's daemon and QEMU run from its mount, gone once it quits.
   * Quit then stops the engine, without asking.
   */
  engineEndsWithApp?: boolean;
  now?: () => number;
}

export type ShellLink = Pick<Link, 'invoke' | 'stream' | 'onEvent' | 'onLost' | 'close'>;

const EngineChanged = EngineStatus.pick({ state: true });
const SettingsChanged = SettingsState.pick({ settings: true });

/**
 * The desktop app around the window: one instance, a tray icon with the engine's state and its controls, the General
 * settings (start at login, window at start, theme), the window's placement kept, and the question of what quitting
 * does to the engine. Closing the window leaves Berth in the tray; Quit (tray, app menu) ends it.
 */
export class Shell {
  private engine: EngineState | null = null;
  private window: ShellWindow | null = null;
  private tray: ShellTray | null = null;
  /** Set once ready() has opened the window or chosen the tray alone: until then a request to show it is ready()'s to answer. */
  private started = false;
  private quitting: 'no' | 'deciding' | 'decided' = 'no';
  private lastReload = -Infinity;

  constructor(
    private readonly electron: ShellElectron,
    private readonly link: ShellLink,
    private readonly options: ShellOptions,
  ) {}

  /** Takes the one-instance lock and listens to the app and the daemon. False when another Berth holds it: that one comes forward, and this one quits. */
  claim(): boolean {
    const { app } = this.electron;
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return false;
    }
    app.on('second-instance', () => this.show());
    app.on('activate', () => this.show());
    // A listener keeps Electron from quitting with the last window: Berth stays in the tray.
    app.on('window-all-closed', () => undefined);
    app.on('before-quit', (event) => this.beforeQuit(event));
    this.link.onEvent((channel, payload) => {
      if (channel === 'engine.changed') {
        const changed = EngineChanged.safeParse(payload);
        if (changed.success) this.setEngine(changed.data.state);
      }
      if (channel === 'settings.changed') {
        const changed = SettingsChanged.safeParse(payload);
        if (changed.success) this.applyGeneral(changed.data.settings.general);
      }
    });
    this.link.onLost(() => this.lost());
    return true;
  }

  /** Once Electron is ready: the tray, the General settings, the window unless Berth starts in the tray, and the engine brought up. */
  async ready(): Promise<void> {
    this.tray = this.electron.createTray();
    this.tray.onClick(() => this.show());
    this.updateTray();
    const current = await this.link.invoke('settings.get', {}).catch(() => null);
    if (current) this.applyGeneral(current.settings.general);
    this.started = true;
    // Without the settings the window opens all the same: it shows why the daemon did not answer.
    if (current?.settings.general.openWindowAtStart ?? true) this.show();
    await this.startEngine();
  }

  /** Brings the window forward, opening it where it was last when it is closed, at `route` when given. */
  show(route?: string): void {
    // macOS activates the app as it launches, which must not open a window that is to start in the tray.
    if (!this.started) return;
    if (this.window) {
      this.window.focus();
      if (route) this.window.showRoute(route);
      return;
    }
    const saved = readPlacement(this.options.windowState);
    const workAreas = this.electron.screen.getAllDisplays().map((display) => display.workArea);
    const win = this.electron.openWindow(saved && fitsDisplays(saved, workAreas) ? saved : null, route ?? '');
    keepPlacement(win, this.options.windowState);
    win.onClosed(() => {
      if (this.window === win) this.window = null;
    });
    this.window = win;
  }

  /** Opening Berth brings the engine up, as Docker Desktop does; one left in error is not retried behind the user's back. */
  private async startEngine(): Promise<void> {
    try {
      const status = await this.link.invoke('engine.status', {});
      this.setEngine(status.state);
      // A suspended engine resumes, its containers running on.
      if (status.state === 'stopped' || status.state === 'suspended') this.setEngine((await this.link.invoke('engine.start', {})).state);
    } catch {
      // The window shows the engine's error and the daemon log has the details.
    }
  }

  private engineAction(action: 'start' | 'stop' | 'restart'): void {
    this.link.invoke(`engine.${action}`, {}).then(
      (status) => this.setEngine(status.state),
      (error: unknown) => this.electron.dialog.showErrorBox(`Berth could not ${action} the engine`, inWords(error)),
    );
  }

  private setEngine(state: EngineState | null): void {
    this.engine = state;
    this.updateTray();
  }

  private updateTray(): void {
    this.tray?.setToolTip(`Berth: ${engineLabel(this.engine)}`);
    this.tray?.setMenu(
      trayMenu(this.engine, {
        open: () => this.show(),
        start: () => this.engineAction('start'),
        stop: () => this.engineAction('stop'),
        restart: () => this.engineAction('restart'),
        settings: () => this.show(ROUTES.settings),
        troubleshoot: () => this.show(ROUTES.troubleshoot),
        quit: () => this.electron.app.quit(),
      }),
    );
  }

  private applyGeneral(general: Settings['general']): void {
    this.electron.nativeTheme.themeSource = general.theme;
    const { platform, autostartFile, command } = this.options;
    try {
      setStartAtLogin(general.startAtLogin, { platform, app: this.electron.app, autostartFile, command });
    } catch (error) {
      const what = general.startAtLogin ? 'set Berth to start at login' : 'stop Berth starting at login';
      this.electron.dialog.showErrorBox(`Berth could not ${what}`, `${inWords(error)}\n\nChange it in Settings, General to try again.`);
    }
  }

  /** The daemon went away: what the window and the tray show may be stale until they ask again, which brings a daemon back. */
  private lost(): void {
    this.setEngine(null);
    const now = this.options.now?.() ?? Date.now();
    if (now - this.lastReload < RELOAD_GAP_MS) return;
    this.lastReload = now;
    this.window?.reload();
    this.link.invoke('engine.status', {}).then(
      (status) => this.setEngine(status.state),
      () => undefined,
    );
  }

  /** Every quit (tray, app menu, Cmd+Q) passes here: it waits for the decision on the engine, then quits for real. */
  private beforeQuit(event: { preventDefault(): void }): void {
    if (this.quitting === 'decided') return;
    event.preventDefault();
    if (this.quitting === 'deciding') return;
    this.quitting = 'deciding';
    void this.quit();
  }

  private async quit(): Promise<void> {
    const { app, dialog } = this.electron;
    // Whatever fails in deciding, Berth can still quit, and leaves the engine as it is.
    const choice = await decideQuit(this.engine, this.link, dialog, this.options.engineEndsWithApp).catch((): QuitChoice => 'keep');
    if (choice === 'cancel') {
      this.quitting = 'no';
      return;
    }
    if (choice === 'stop') {
      await this.link
        .invoke('engine.stop', {})
        .catch((error: unknown) => dialog.showErrorBox('The engine did not stop', `${inWords(error)}\n\nBerth quits all the same; \`berth stop\` stops the engine.`));
    }
    this.quitting = 'decided';
    void this.link.close();
    app.quit();
  }
}
