import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { ExtensionContext } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Link } from '../daemon/link';
import { appRoot } from '../vm/image';
import { admitExtension } from '../window/admit';
import { readAsset } from '../window/assets';
import type { Target } from '../window/target';
import { relaySocket } from './relay';
import { sendText } from './respond';

/** Where the page script that defines window.ddClient is built. */
const DDCLIENT_SCRIPT = join(appRoot(), 'out', 'preload', 'ddclient.js');
let ddClientScript: string | null = null;
/** The built ddClient script, read once: it does not change while the server runs. */
const ddClientSource = (): string => (ddClientScript ??= readFileSync(DDCLIENT_SCRIPT, 'utf8'));
/** The page script's path on every extension origin; no extension file can be served there. */
export const DDCLIENT_PATH = '/__berth/ddclient.js';
const DDCLIENT_SOCKET = '/__berth/ddclient';
const LOOPBACK = ['http://localhost:*', 'http://127.0.0.1:*', 'ws://localhost:*', 'ws://127.0.0.1:*'].join(' ');

/**
 * Each extension's page gets an origin of its own, `http://LABEL.localhost:PORT`: browsers keep its storage and
 * scripts apart from the window's and from every other extension's. LABEL is a keyed hash of the extension's
 * key under this server's token, so the host name is itself the secret that lets the page in: no other page
 * can guess it, and no cookie (which a frame may not get) is needed.
 */
export class ExtensionOrigins {
  private readonly byLabel = new Map<string, string>();
  private readonly labels = new Map<string, string>();

  constructor(
    private readonly token: string,
    private readonly extensionsDir: string,
    private readonly link: Link,
    private readonly wss: WebSocketServer,
  ) {}

  private label(key: string): string {
    let label = this.labels.get(key);
    if (!label) {
      label = createHmac('sha256', this.token).update(key).digest('hex').slice(0, 32);
      this.labels.set(key, label);
      this.byLabel.set(label, key);
    }
    return label;
  }

  /** The extension whose origin `host` is, or null when it is no extension's. */
  keyOf(host: string | undefined, port: number): string | null {
    const match = /^([0-9a-f]{32})\.localhost:(\d+)$/.exec(host ?? '');
    if (!match || Number(match[2]) !== port) return null;
    return this.byLabel.get(match[1]!) ?? null;
  }

  /** The address of an extension's page, for the window's frame. */
  async frameUrl(key: string, port: number): Promise<string> {
    const { extensions } = await this.link.invoke('extensions.list', {});
    const extension = extensions.find((candidate) => candidate.key === key);
    if (!extension) throw new BerthError('ExtensionNotFound', 'That extension is not installed.', 'Install it again from Extensions.');
    if (!extension.ui) throw new BerthError('NoExtensionUi', `${extension.title} has no page to show.`, 'Use its backend or host binaries instead.');
    return `http://${this.label(key)}.localhost:${port}/${extension.ui.src.replace(/^\/+/, '')}`;
  }

  private headers(key: string, port: number): Record<string, string> {
    const host = `${this.label(key)}.localhost:${port}`;
    const self = `http://${host}`;
    return {
      // Extensions are web apps built every which way (inline styles, eval in some frameworks, web APIs of
      // their vendors); what keeps them in their place is their own origin and the frame's sandbox.
      'Content-Security-Policy': [
        `default-src 'self' ${self} data: blob:`,
        `script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:`,
        `style-src 'self' 'unsafe-inline' https:`,
        `img-src 'self' data: blob: https:`,
        `font-src 'self' data: https:`,
        // Services the user runs on this computer (a backend's published port, say) are theirs to reach too;
        // Berth's own server still answers only the window and each page's own origin.
        `connect-src 'self' ws://${host} https: wss: ${LOOPBACK}`,
        `frame-src 'self' https: ${LOOPBACK}`,
        `frame-ancestors http://127.0.0.1:${port}`,
        "object-src 'none'",
        "base-uri 'self'",
      ].join('; '),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
  }

  /** Serves the extension's UI files, with the ddClient script first in every page. */
  async serve(key: string, port: number, req: IncomingMessage, target: Target, res: ServerResponse): Promise<void> {
    const headers = this.headers(key, port);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Only GET and HEAD.', { ...headers, Allow: 'GET, HEAD' });
    if (target.path === DDCLIENT_PATH) return this.serveScript(key, res, headers);
    const asset = await readAsset(join(this.extensionsDir, key, 'ui'), target.path);
    if (!asset) return sendText(res, 404, 'Not found.', headers);
    const body = asset.type.startsWith('text/html') ? withDdClient(asset.body) : asset.body;
    res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async serveScript(key: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
    let context: ExtensionContext;
    try {
      context = await this.link.invoke('ddClient.context', { key });
    } catch (error) {
      return sendText(res, 503, (error as Error).message, headers);
    }
    const script = `window.__berthExtension = ${JSON.stringify(context)};\n${ddClientSource()}`;
    res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' });
    res.end(script);
  }

  /** The page's socket for ddClient: only from the page's own origin, and only to its own ddClient channels. */
  upgrade(key: string, port: number, req: IncomingMessage, target: Target, socket: Duplex, head: Buffer, refuse: (status: number, reason: string) => void): void {
    const self = `http://${this.label(key)}.localhost:${port}`;
    if (req.headers.origin !== self) return refuse(403, 'This socket only answers the extension page it belongs to.');
    if (target.path !== DDCLIENT_SOCKET) return refuse(404, 'Not found.');
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('error', () => ws.terminate());
      relaySocket(ws, this.link, admitExtension(key));
    });
  }
}

/** The page script goes before anything the page runs: first thing in <head>, or first in the document. */
export function withDdClient(html: Buffer): Buffer {
  const text = html.toString('utf8');
  const tag = `<script src="${DDCLIENT_PATH}"></script>`;
  const head = /<head(\s[^>]*)?>/i.exec(text) ?? /<html(\s[^>]*)?>/i.exec(text) ?? /<!doctype[^>]*>/i.exec(text);
  const at = head ? head.index + head[0].length : 0;
  return Buffer.from(text.slice(0, at) + tag + text.slice(at), 'utf8');
}
