import { app, BrowserWindow, dialog, ipcMain, nativeTheme, powerMonitor, protocol, screen, session, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
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
import { autostartFile } from './loginItem';
import { createTray, devUrl, openMainWindow, pageBase, SCHEME } from './mainWindow';
import { Shell } from './shell';

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
  event.senderFrame !== null && event.senderFrame === event.sender.mainFrame && event.senderFrame.url.startsWith(pageBase);

/** What starts this Berth again at login: the app itself, or Electron with the app's folder when run from a checkout. */
function launchCommand(): string[] {
  // An AppImage's executable lives in a mount that is gone after it quits; APPIMAGE names the file itself.
  const executable = process.env.APPIMAGE ?? process.execPath;
  return app.isPackaged ? [executable] : [executable, app.getAppPath()];
}

/** The desktop app: one window over the same daemon the CLI and browser mode use, and a tray icon. */
export function runApp(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    // Each extension's page is an origin of its own, with storage that lasts, as on the web.
    { scheme: EXTENSION_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
  const paths = homePaths();
  const link = new DaemonLink(paths);
  const shell = new Shell(
    { app, screen, nativeTheme, dialog, createTray, openWindow: openMainWindow },
    link,
    {
      platform: process.platform,
      windowState: paths.windowState,
      autostartFile: autostartFile(),
      command: launchCommand(),
      engineEndsWithApp: process.env.APPIMAGE !== undefined,
    },
  );
  if (!shell.claim()) return;

  relayIpc(link, { call: CALL, open: OPEN, input: INPUT, cancel: CANCEL, chunk: CHUNK, end: END }, (event) => (trusted(event) ? admitAll : null));
  const views = new ExtensionViews(link, paths.extensionsDir);
  ipcMain.on(EXTENSION_VIEW, (event, key: unknown, bounds: unknown) => {
    const win = BrowserWindow.fromWebContents(event.sender);
    if (trusted(event) && win && typeof key === 'string') views.place(win, key, bounds);
  });
  link.onEvent((channel, payload) => {
    for (const win of BrowserWindow.getAllWindows()) win.webContents.send(EVENT, channel, payload);
  });

  void app.whenReady().then(() => {
    serveRenderer();
    void shell.ready();
    // After a sleep the guest's clock is behind by its length; the daemon also notices the jump itself, later.
    powerMonitor.on('resume', () => void link.invoke('engine.hostResumed', {}).catch(() => undefined));
  });
}
