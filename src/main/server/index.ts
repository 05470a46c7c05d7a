import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BerthError, toWire } from '../api/errors';
import { DaemonLink, type Link } from '../daemon/link';
import type { HomePaths } from '../home';
import { appRoot } from '../vm/image';
import { admitAll } from '../window/admit';
import { securityHeaders } from '../window/assets';
import { parseTarget } from '../window/target';
import { ExtensionOrigins } from './extensionOrigin';
import { relaySocket, sendFrame } from './relay';
import { answerRaw, guard, logFailure, MALFORMED_TARGET, sendText, serveFile } from './respond';
import { checkRequest, cookieHeader, newToken } from './token';

export interface ServerOptions {
  link: Link;
  /** Where installed extensions keep their pages. */
  extensionsDir: string;
  port?: number;
  rendererDir?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_FRAME = 1 << 20;
/** Where the window asks for an extension page's address. */
export const EXTENSION_FRAME_PATH = '/extension-frame';

export function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BerthError('InvalidPort', `BERTH_PORT is "${value}", not a port number.`, 'Set BERTH_PORT to a number from 1024 to 65535, or unset it to use a free port.');
  }
  return port;
}

/** The answer to a request whose handling threw: a 500 when nothing was sent yet, else the cut connection. */
function failed(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  sendText(res, 500, 'Berth could not answer this request; the output of `berth serve` says why.', {});
}

/** A request Node's parser gave up on (bad method, target, version or header, or too large) gets a 400 saying so. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // Only a socket that has written nothing yet can still take a whole response; a reset one takes nothing.
  const fresh = socket instanceof Socket ? socket.bytesWritten === 0 : true;
  if (error.code === 'ECONNRESET' || !socket.writable || !fresh) return void socket.destroy();
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return answerRaw(socket, 408, 'The request took too long to arrive.');
  const what = error.code === 'HPE_HEADER_OVERFLOW' ? 'Request headers too large' : 'Malformed request';
  answerRaw(socket, 400, `${what} (${error.code ?? error.message}).`);
}

/** Serves the built window and carries the contract over a WebSocket, on 127.0.0.1 only, behind a token. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const root = resolve(options.rendererDir ?? join(appRoot(), 'out', 'renderer'));
  if (!existsSync(join(root, 'index.html'))) {
    throw new BerthError('RendererMissing', `The window's files are missing from ${root}.`, 'Run `npm run build`, then serve again.');
  }
  const { link } = options;
  const token = newToken();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  let port = 0;

  const origins = new ExtensionOrigins(token, options.extensionsDir, link, wss);

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = securityHeaders(`'self' ws://127.0.0.1:${port}`, undefined, `http://*.localhost:${port}`);
    const target = parseTarget(req.url);
    if (!target) return sendText(res, 400, MALFORMED_TARGET, headers);
    const extension = origins.keyOf(req.headers.host, port);
    if (extension) return origins.serve(extension, port, req, target, res);
    const verdict = checkRequest(req, target, port, token, false);
    if (!verdict.ok) return sendText(res, verdict.status, verdict.reason, headers);
    if (verdict.fromQuery) headers['Set-Cookie'] = cookieHeader(port, token);
    if (target.path === EXTENSION_FRAME_PATH) return answerFrameUrl(target.query.get('key') ?? '', res, headers);
    return serveFile(root, req.method, target, res, headers);
  }

  const server = createServer((req, res) => guard(`${req.method} request`, () => answer(req, res), () => failed(res)));
  server.on('clientError', answerClientError);

  /** The window asks here (as itself, by its cookie) where an extension's page is. */
  async function answerFrameUrl(key: string, res: ServerResponse, headers: Record<string, string>): Promise<void> {
    const json = { ...headers, 'Content-Type': 'application/json' };
    try {
      res.writeHead(200, json).end(JSON.stringify({ url: await origins.frameUrl(key, port) }));
    } catch (error) {
      res.writeHead(404, json).end(JSON.stringify({ error: toWire(error) }));
    }
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: number, reason: string): void => answerRaw(socket, status, reason);
    const target = parseTarget(req.url);
    if (!target) return refuse(400, MALFORMED_TARGET);
    const extension = origins.keyOf(req.headers.host, port);
    if (extension) return origins.upgrade(extension, port, req, target, socket, head, refuse);
    const verdict = checkRequest(req, target, port, token, true);
    if (!verdict.ok) return refuse(verdict.status, verdict.reason);
    if (target.path !== '/ws') return refuse(404, 'Not found.');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  }

  // Node hands CONNECT over raw, and would drop it without a word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    answerRaw(socket, 405, 'This server is no proxy: CONNECT is not served.');
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    guard('WebSocket upgrade', () => upgrade(req, socket, head), () => socket.destroy());
  });

  function accept(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    // Bring the daemon up while the page loads; a failure here resurfaces, with its hint, on the first call.
    link.ready().catch(() => undefined);
    relaySocket(ws, link, admitAll);
  }

  const unsubscribe = [
    link.onEvent((channel, payload) => {
      for (const ws of sockets) sendFrame(ws, { type: 'event', channel, payload });
    }),
    // A new daemon knows nothing of the old one's state: closing makes each page reconnect and reload it.
    link.onLost(() => {
      for (const ws of sockets) ws.close(1012, 'Berth backend restarted');
    }),
  ];

  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new BerthError('PortInUse', `127.0.0.1:${options.port} is already in use.`, 'Unset BERTH_PORT to use a free port, or choose another.')
          : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', done);
  });
  port = (server.address() as AddressInfo).port;
  // Once listening, a failure to accept (too many open files, say) costs that one connection, not the server.
  server.on('error', (error) => logFailure('accepting a connection', error));

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      for (const stop of unsubscribe) stop();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}

/** `berth serve`: prints the URL as its one line of output and serves until interrupted; the engine keeps running. */
export async function serve(paths: HomePaths, env: NodeJS.ProcessEnv): Promise<number> {
  const link = new DaemonLink(paths);
  const server = await startServer({ link, port: parsePort(env.BERTH_PORT), extensionsDir: paths.extensionsDir });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write('Open the URL above in a browser. Ctrl-C stops serving; the engine keeps its state.\n');
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => done());
  });
  await server.close();
  await link.close();
  return 0;
}
