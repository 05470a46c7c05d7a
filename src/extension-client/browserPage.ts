/**
 * The script a browser loads first on an extension's page (served at /__berth/ddclient.js on the extension's
 * origin): it defines `window.ddClient` and the MUI themes before the page's own scripts run. The server puts
 * the extension's context in `window.__berthExtension` on the line above this file's code.
 */
import { createDdClient } from './client';
import { muiThemes, putThemesInPage } from './muiThemes';
import { socketTransport } from './socketTransport';
import type { ExtensionContext } from './types';

declare global {
  interface Window {
    __berthExtension?: ExtensionContext;
  }
}

const context: ExtensionContext = window.__berthExtension ?? { image: '', platform: '', arch: '', hostname: '' };
const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
const client = createDdClient(
  socketTransport(() => new WebSocket(`${scheme}//${location.host}/__berth/ddclient`)),
  { image: String(context.image), platform: String(context.platform), arch: String(context.arch), hostname: String(context.hostname) },
);
Object.defineProperty(window, 'ddClient', { value: client, writable: false, configurable: false, enumerable: true });
putThemesInPage(JSON.stringify(muiThemes));
