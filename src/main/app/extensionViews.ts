import { BrowserWindow, dialog, ipcMain, session, shell, WebContentsView, type IpcMainEvent, type IpcMainInvokeEvent, type OpenDialogOptions, type Session } from 'electron';
import { join } from 'node:path';
import type { ExtensionContext } from '../api/ddClient';
import type { ExtensionRequest } from '../api/extensions';
import type { DaemonLink } from '../daemon/link';
import { appRoot } from '../vm/image';
import { admitExtension } from '../window/admit';
import { readAsset } from '../window/assets';
import { EXT_CALL, EXT_CANCEL, EXT_CHUNK, EXT_CONTEXT, EXT_END, EXT_OPEN } from '../window/extensionIpc';
import { parseTarget } from '../window/target';
import { relayIpc } from './ipcRelay';

/** Pages of extensions load from berth-extension://KEY/: one origin, and one session partition, per extension. */
export const EXTENSION_SCHEME = 'berth-extension';

interface Shown {
  key: string;
  view: WebContentsView;
  context: ExtensionContext;
}

const isBounds = (value: unknown): value is { x: number; y: number; width: number; height: number } =>
  typeof value === 'object' && value !== null && ['x', 'y', 'width', 'height'].every((name) => Number.isFinite((value as Record<string, unknown>)[name]));

/**
 * Extension pages in Electron: each in a WebContentsView laid over the window's content area, sandboxed, with
 * context isolation, no Node, its own persistent partition, and ddClient from its own preload. The shell knows the
 * calling extension by the sending frame's origin only.
 */
export class ExtensionViews {
  private readonly shown = new Map<BrowserWindow, Shown>();
  private readonly sessions = new Set<string>();
  private readonly watched = new WeakSet<BrowserWindow>();

  constructor(
    private readonly link: DaemonLink,
    private readonly extensionsDir: string,
  ) {
    const admitFor = (event: IpcMainEvent | IpcMainInvokeEvent) => {
      const key = this.senderKey(event);
      return key ? admitExtension(key) : null;
    };
    relayIpc(link, { call: EXT_CALL, open: EXT_OPEN, cancel: EXT_CANCEL, chunk: EXT_CHUNK, end: EXT_END }, admitFor, (channel, request, event) =>
      channel === 'ddClient.showOpenDialog' ? this.openDialog(request as { directory: boolean; multiple: boolean }, event) : null,
    );
    ipcMain.on(EXT_CONTEXT, (event) => {
      const key = this.senderKey(event);
      event.returnValue = [...this.shown.values()].find((shown) => shown.key === key)?.context ?? null;
    });
    // The daemon has checked the link; the desktop's browser opens it.
    link.onEvent((channel, payload) => {
      const request = payload as ExtensionRequest;
      if (channel === 'extensions.request' && request.kind === 'openExternal') void shell.openExternal(request.url);
    });
  }

  private senderKey(event: IpcMainEvent | IpcMainInvokeEvent): string | null {
    const match = /^berth-extension:\/\/([0-9a-f]{16})$/.exec(event.senderFrame?.origin ?? '');
    const key = match?.[1] ?? null;
    return key && [...this.shown.values()].some((shown) => shown.key === key && shown.view.webContents === event.sender) ? key : null;
  }

  private partition(key: string): Session {
    const partition = session.fromPartition(`persist:berth-ext-${key}`);
    if (this.sessions.has(key)) return partition;
    this.sessions.add(key);
    const root = join(this.extensionsDir, key, 'ui');
    partition.protocol.handle(EXTENSION_SCHEME, async (request) => {
      const target = parseTarget(request.url);
      const asset = target?.host === key ? await readAsset(root, target.path).catch(() => null) : null;
      if (!asset) return new Response('Not found', { status: 404 });
      return new Response(new Uint8Array(asset.body), { headers: { 'Content-Type': asset.type, 'X-Content-Type-Options': 'nosniff' } });
    });
    partition.setPermissionRequestHandler((_contents, _permission, answer) => answer(false));
    return partition;
  }

  /** Shows `key`'s page over `bounds` of `win`, or with bounds null closes it (its streams end with it). */
  place(win: BrowserWindow, key: string, bounds: unknown): void {
    const current = this.shown.get(win);
    if (current && (current.key !== key || bounds === null)) {
      win.contentView.removeChildView(current.view);
      current.view.webContents.close();
      this.shown.delete(win);
    }
    if (!isBounds(bounds) || !/^[0-9a-f]{16}$/.test(key)) return;
    const shown = this.shown.get(win);
    if (shown) return shown.view.setBounds(roundBounds(bounds));
    void this.open(win, key, bounds);
  }

  private async open(win: BrowserWindow, key: string, bounds: { x: number; y: number; width: number; height: number }): Promise<void> {
    const [context, list] = await Promise.all([
      this.link.invoke('ddClient.context', { key }),
      this.link.invoke('extensions.list', {}),
    ]);
    const ui = list.extensions.find((extension) => extension.key === key)?.ui;
    if (!ui || this.shown.has(win) || win.isDestroyed()) return;
    const view = new WebContentsView({
      webPreferences: {
        session: this.partition(key),
        preload: join(appRoot(), 'out', 'preload', 'extension.cjs'),
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
      },
    });
    const origin = `${EXTENSION_SCHEME}://${key}`;
    view.webContents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${origin}/`)) event.preventDefault();
    });
    view.webContents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    this.shown.set(win, { key, view, context });
    this.forgetOnClose(win);
    win.contentView.addChildView(view);
    view.setBounds(roundBounds(bounds));
    void view.webContents.loadURL(`${origin}/${ui.src.replace(/^\/+/, '')}`);
  }

  /** A closed window (Berth stays in the tray, and opens a new one later) takes its extension's page with it. */
  private forgetOnClose(win: BrowserWindow): void {
    if (this.watched.has(win)) return;
    this.watched.add(win);
    win.once('closed', () => {
      const shown = this.shown.get(win);
      this.shown.delete(win);
      if (shown && !shown.view.webContents.isDestroyed()) shown.view.webContents.close();
    });
  }

  private async openDialog(request: { directory: boolean; multiple: boolean }, event: IpcMainInvokeEvent): Promise<{ canceled: boolean; filePaths: string[] }> {
    const properties: OpenDialogOptions['properties'] = [request.directory ? 'openDirectory' : 'openFile'];
    if (request.multiple) properties.push('multiSelections');
    const win = BrowserWindow.getAllWindows().find((candidate) => this.shown.get(candidate)?.view.webContents === event.sender);
    const { canceled, filePaths } = win ? await dialog.showOpenDialog(win, { properties }) : await dialog.showOpenDialog({ properties });
    // What the user chose is what the page's docker commands may read or write on this computer.
    const key = this.senderKey(event);
    if (key && filePaths.length) await this.link.invoke('extensions.picked', { key, filePaths });
    return { canceled, filePaths };
  }
}

const roundBounds = (bounds: { x: number; y: number; width: number; height: number }) => ({
  x: Math.round(bounds.x),
  y: Math.round(bounds.y),
  width: Math.max(0, Math.round(bounds.width)),
  height: Math.max(0, Math.round(bounds.height)),
});
