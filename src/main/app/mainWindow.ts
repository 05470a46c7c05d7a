import { BrowserWindow, Menu, nativeImage, shell, Tray } from 'electron';
import { join } from 'node:path';
import { appRoot } from '../vm/image';
import { isViewRoute, NAVIGATE } from '../window/ipc';
import type { ShellTray, ShellWindow } from './shell';
import { trayIconPath } from './trayMenu';
import type { WindowPlacement } from './windowState';

// A standard, secure scheme gives the window a real origin for 'self' in its policy, unlike file://.
export const SCHEME = 'berth';
const ORIGIN = `${SCHEME}://app`;
/** Set by `electron-vite dev`; its hot reload injects styles and opens its own socket. */
export const devUrl = process.env.ELECTRON_RENDERER_URL;
/** Where the window's pages come from: anything else is not Berth's own page. */
export const pageBase = devUrl ?? `${ORIGIN}/`;

/** Links the browser may open: https anywhere, and plain http only to a published port on this computer's loopback. */
function opensExternally(url: string): boolean {
  try {
    const target = new URL(url);
    return target.protocol === 'https:' || (target.protocol === 'http:' && (target.hostname === 'localhost' || target.hostname === '127.0.0.1'));
  } catch {
    return false;
  }
}

/** The Berth window, sandboxed and without Node, at `placement` (the system's choice when null), showing `route`. */
export function openMainWindow(placement: WindowPlacement | null, route: string): ShellWindow {
  const win = new BrowserWindow({
    width: placement?.width ?? 1100,
    height: placement?.height ?? 720,
    ...(placement ? { x: placement.x, y: placement.y } : {}),
    minWidth: 720,
    minHeight: 480,
    title: 'Berth',
    show: false,
    webPreferences: {
      preload: join(appRoot(), 'out', 'preload', 'index.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => {
    // Maximizing shows a window at once: only once its page is ready.
    if (placement?.maximized) win.maximize();
    win.show();
  });
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (opensExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(pageBase)) event.preventDefault();
  });
  void win.loadURL(`${devUrl ?? `${ORIGIN}/index.html`}${isViewRoute(route) ? route : ''}`);
  return {
    focus() {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    showRoute: (next) => win.webContents.send(NAVIGATE, next),
    reload: () => win.webContents.reload(),
    placement() {
      const { x, y, width, height } = win.getNormalBounds();
      return { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height), maximized: win.isMaximized() };
    },
    onPlaced(listener) {
      win.on('move', listener);
      win.on('resize', listener);
      win.on('maximize', listener);
      win.on('unmaximize', listener);
    },
    onClose: (listener) => win.on('close', () => listener()),
    onClosed: (listener) => win.on('closed', () => listener()),
  };
}

/** The tray icon, its menu set whole each time it changes (Linux shows a menu only as it was when set). */
export function createTray(): ShellTray {
  const tray = new Tray(nativeImage.createFromPath(trayIconPath(appRoot(), process.platform)));
  return {
    setMenu: (entries) => tray.setContextMenu(Menu.buildFromTemplate(entries)),
    setToolTip: (text) => tray.setToolTip(text),
    onClick: (listener) => tray.on('click', () => listener()),
  };
}
