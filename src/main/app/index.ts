import { app, BrowserWindow, ipcMain, powerMonitor, protocol, session, shell, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { homePaths } from '../home';
import { DaemonLink } from '../daemon/link';
import { appRoot } from '../vm/image';
import { admitAll } from '../window/admit';
import { readAsset, securityHeaders } from '../window/assets';
import { CALL, CANCEL, CHUNK, END, EVENT, EXTENSION_VIEW, INPUT, OPEN } from '../window/ipc';
import { parseTarget } from '../window/target';
import { EXTENSION_SCHEME, ExtensionViews } from './extensionViews';
import { relayIpc } from './ipcRelay';

// A standard, secure scheme gives the window a real origin for 'self' in its policy, unlike file://.
const SCHEME = 'berth';
const ORIGIN = `${SCHEME}://app`;
// Set by `electron-vite dev`; its hot reload injects styles and opens its own socket.
const devUrl = process.env.ELECTRON_RENDERER_URL;
const policy = devUrl ? securityHeaders("'self' ws://localhost:*", "'self' 'unsafe-inline'") : securityHeaders("'self'");

function serveRenderer(): void {
  const root = join(appRoot(), 'out', 'renderer');
  protocol.handle(SCHEME, async (request) => {
    const target = parseTarget(request.url);
    const asset = target?.host === 'app' ? await readAsset(root, target.path).catch(() => null) : null;
    if (!asset) return new Response('Not found', { status: 404, headers: policy });
    return new Response(new Uint8Array(asset.body), { headers: { ...policy, 'Content-Type': asset.type } });
  });
  // The same policy on anything else the session loads (the dev server), as response headers.
  session.defaultSession.webRequest.onHeadersReceived((details, done) => {
    const headers = { ...details.responseHeaders };
    for (const [name, value] of Object.entries(policy)) headers[name] = [value];
    done({ responseHeaders: headers });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, answer) => answer(false));
}

const trusted = (event: IpcMainEvent | IpcMainInvokeEvent): boolean =>
  event.senderFrame !== null && event.senderFrame === event.sender.mainFrame && event.senderFrame.url.startsWith(devUrl ?? `${ORIGIN}/`);

/** Links the browser may open: https anywhere, and plain http only to a published port on this computer's loopback. */
function opensExternally(url: string): boolean {
  try {
    const target = new URL(url);
    return target.protocol === 'https:' || (target.protocol === 'http:' && (target.hostname === 'localhost' || target.hostname === '127.0.0.1'));
  } catch {
    return false;
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
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
  win.once('ready-to-show', () => win.show());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (opensExternally(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(devUrl ?? `${ORIGIN}/`)) event.preventDefault();
  });
  void win.loadURL(devUrl ?? `${ORIGIN}/index.html`);
  return win;
}

/**
 * Opening Berth brings the engine up, as Docker Desktop does; the window follows the start through events.
 * An engine left in error is not retried behind the user's back: the window shows why it failed.
 */
async function startEngineOnLaunch(link: DaemonLink): Promise<void> {
  try {
    const status = await link.invoke('engine.status', {});
    // A suspended engine resumes, its containers running on.
    if (status.state === 'stopped' || status.state === 'suspended') await link.invoke('engine.start', {});
  } catch {
    // The window shows the engine's error and the daemon log has the details.
  }
}

/** The desktop app: one window over the same daemon the CLI and browser mode use. */
export function runApp(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    // Each extension's page is an origin of its own, with storage that lasts, as on the web.
    { scheme: EXTENSION_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const link = new DaemonLink(homePaths());
  let lastReload = 0;

  relayIpc(link, { call: CALL, open: OPEN, input: INPUT, cancel: CANCEL, chunk: CHUNK, end: END }, (event) => (trusted(event) ? admitAll : null));
  const views = new ExtensionViews(link, homePaths().extensionsDir);
  ipcMain.on(EXTENSION_VIEW, (event, key: unknown, bounds: unknown) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    if (trusted(event) && win && typeof key === 'string') views.place(win, key, bounds);
  });
  link.onEvent((channel, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(EVENT, channel, payload);
  });
  // A respawned daemon has a state of its own: reloading makes the window ask for it, at most every 10 s.
  link.onLost(() => {
    if (Date.now() - lastReload < 10_000) return;
    lastReload = Date.now();
    for (const win of BrowserWindow.getAllWindows()) win.webContents.reload();
  });

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  // The engine belongs to the daemon: closing the window or quitting leaves it as it is.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => void link.close());

  void app.whenReady().then(() => {
    serveRenderer();
    createWindow();
    void startEngineOnLaunch(link);
    // After a sleep the guest's clock is behind by its length; the daemon also notices the jump itself, later.
    powerMonitor.on('resume', () => void link.invoke('engine.hostResumed', {}).catch(() => undefined));
  });
}
