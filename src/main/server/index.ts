import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { StreamHandle } from '../api/client';
import type { Frame, StreamName } from '../api/contract';
import { BerthError, toWire } from '../api/errors';
import type { HomePaths } from '../home';
import { appRoot } from '../vm/image';
import { serveFile, securityHeaders, sendText } from './http';
import { DaemonLink } from '../daemon/link';
import { checkRequest, cookieHeader, newToken } from './token';

export type Link = Pick<DaemonLink, 'ready' | 'invoke' | 'stream' | 'onEvent' | 'onLost' | 'close'>;

export interface ServerOptions {
  link: Link;
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

export function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new BerthError('InvalidPort', `BERTH_PORT is "${value}", not a port number.`, 'Set BERTH_PORT to a number from 1024 to 65535, or unset it to use a free port.');
  }
  return port;
}

type ClientFrame = Extract<Frame, { type: 'call' | 'open' | 'input' | 'cancel' }>;
const clientFrames = new Set(['call', 'open', 'input', 'cancel']);

/** Only the shape is checked here; channels, requests and input are checked by the link and the daemon. */
function parseClientFrame(text: string): ClientFrame | null {
  try {
    const frame = JSON.parse(text) as Partial<ClientFrame> | null;
    return frame && clientFrames.has(String(frame.type)) && typeof frame.id === 'number' ? (frame as ClientFrame) : null;
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  const title = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
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

  const server = createServer((req, res) => {
    const headers = securityHeaders(`'self' ws://127.0.0.1:${port}`);
    const verdict = checkRequest(req, port, token, false);
    if (!verdict.ok) return sendText(res, verdict.status, verdict.reason, headers);
    if (verdict.fromQuery) headers['Set-Cookie'] = cookieHeader(port, token);
    serveFile(root, req, res, headers).catch(() => res.destroy());
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkRequest(req, port, token, true);
    if (!verdict.ok) return refuse(socket, verdict.status, verdict.reason);
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/ws') return refuse(socket, 404, 'Not found.');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  const send = (ws: WebSocket, frame: Frame): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };

  function accept(ws: WebSocket): void {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
    // Bring the daemon up while the page loads; a failure here resurfaces, with its hint, on the first call.
    link.ready().catch(() => undefined);
    const streams = new Map<number, StreamHandle<StreamName>>();
    ws.on('close', () => {
      for (const handle of streams.values()) handle.cancel();
      streams.clear();
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = isBinary ? null : parseClientFrame(data.toString());
      if (!frame) return ws.close(1008, 'expected a call or stream frame');
      const { id } = frame;
      if (frame.type === 'call') {
        link.invoke(frame.channel, frame.request).then(
          (result) => send(ws, { type: 'reply', id, result }),
          (error: unknown) => send(ws, { type: 'reply', id, error: toWire(error) }),
        );
      } else if (frame.type === 'open' && !streams.has(id)) {
        const handle = link.stream(frame.channel, frame.request, {
          chunk: (payload) => send(ws, { type: 'chunk', id, payload }),
          end: (error) => {
            streams.delete(id);
            send(ws, error ? { type: 'end', id, error: toWire(error) } : { type: 'end', id });
          },
        });
        streams.set(id, handle);
      } else if (frame.type === 'input') {
        streams.get(id)?.write(frame.payload as never);
      } else if (frame.type === 'cancel') {
        streams.get(id)?.cancel();
        streams.delete(id);
      }
    });
  }

  const unsubscribe = [
    link.onEvent((channel, payload) => {
      for (const ws of sockets) send(ws, { type: 'event', channel, payload });
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
  const server = await startServer({ link, port: parsePort(env.BERTH_PORT) });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write('Open the URL above in a browser. Ctrl-C stops serving; the engine keeps its state.\n');
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => done());
  });
  await server.close();
  await link.close();
  return 0;
}
