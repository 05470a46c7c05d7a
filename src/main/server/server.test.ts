import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as dial } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { StreamHandle, StreamListener } from '../api/client';
import type { CallName, EventName, ReplyOf, StreamName } from '../api/contract';
import { BerthError } from '../api/errors';
import type { EventListener, Link } from '../daemon/link';
import { startServer, type RunningServer } from './index';

/** Stands in for the daemon: echoes calls, fails on demand, and lets the test fire events and losses. */
class FakeLink implements Link {
  readonly calls: [unknown, unknown][] = [];
  private readonly events = new Set<EventListener>();
  private readonly losses = new Set<() => void>();
  ready = (async () => ({})) as unknown as Link['ready'];
  close = async (): Promise<void> => undefined;
  /** What the daemon answers the server's own calls, for extension pages. */
  readonly replies: { [C in CallName]?: ReplyOf<C> } = {};
  async invoke<C extends CallName>(channel: C): Promise<ReplyOf<C>> {
    const reply = this.replies[channel];
    if (!reply) throw new BerthError('NotFaked', `No reply for ${channel}.`, 'Set one in the test.');
    return reply;
  }
  async forward(channel: unknown, request: unknown): Promise<unknown> {
    this.calls.push([channel, request]);
    if (channel === 'engine.start') throw new BerthError('QemuMissing', 'no qemu', 'install qemu');
    return { echo: request };
  }
  readonly cancelled: unknown[] = [];
  /** Sends the request back as one chunk, each input as another, and ends on input 'done'. */
  stream(channel: unknown, request: unknown, listener: StreamListener<StreamName>): StreamHandle<StreamName> {
    if (channel === 'throwing.stream') throw new Error('a fault in the relay');
    queueMicrotask(() => (channel === 'bad.stream' ? listener.end(new BerthError('Nope', 'no stream', 'try another')) : listener.chunk({ request } as never)));
    return {
      write: (input) => ((input as unknown) === 'done' ? listener.end(null) : listener.chunk({ input } as never)),
      cancel: () => this.cancelled.push(request),
    };
  }
  onEvent(listener: EventListener): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }
  onLost(listener: () => void): () => void {
    this.losses.add(listener);
    return () => this.losses.delete(listener);
  }
  fire(channel: EventName, payload: unknown): void {
    for (const listener of this.events) listener(channel, payload);
  }
  lose(): void {
    for (const listener of this.losses) listener();
  }
}

let base: string;
let link: FakeLink;
let server: RunningServer;

function connect(): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

/**
 * Sends bytes as they are, as any process on this computer may, and resolves with all the server answers before it
 * closes, or with the head of a switch to a WebSocket. The socket stays open for writing: a client that hangs up
 * its side gets no answers that take the server a while.
 */
function sendRaw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dial(server.port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    const received = (): string => Buffer.concat(chunks).toString('latin1');
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (/^HTTP\/1\.1 101 [^]*\r\n\r\n/.test(received())) socket.destroy();
    });
    socket.once('close', () => resolve(received()));
    socket.once('error', reject);
    socket.setTimeout(5_000, () => socket.destroy(new Error('the server neither answered nor closed')));
  });
}

beforeAll(async () => {
  // The renderer folder, with a secret beside it that no path may reach.
  base = mkdtempSync(join(tmpdir(), 'bt-server-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(base, 'secret.txt'), 'secret');
  link = new FakeLink();
  server = await startServer({ link, rendererDir: root, extensionsDir: join(root, 'extensions') });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

describe('startServer', () => {
  it('listens on 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
  });

  it('serves the renderer with its policy once the token is known, and nothing outside it', async () => {
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const asset = await fetch(`http://127.0.0.1:${server.port}/assets/app.js`, { headers: { cookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      expect((await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: { cookie } })).status).toBe(404);
    }
    const denied = await fetch(`http://127.0.0.1:${server.port}/assets/app.js`);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('x-frame-options')).toBe('DENY');
  });

  it('forwards any call as it came and answers with its result or its error and hint', async () => {
    const { ws, frames } = await connect();
    ws.send(JSON.stringify({ type: 'call', id: 1, channel: 'engine.status', request: { a: 1 } }));
    ws.send(JSON.stringify({ type: 'call', id: 2, channel: 'engine.start', request: {} }));
    await expect.poll(() => frames.length).toBe(2);
    expect(frames).toContainEqual({ type: 'reply', id: 1, result: { echo: { a: 1 } } });
    expect(frames).toContainEqual({ type: 'reply', id: 2, error: { name: 'QemuMissing', message: 'no qemu', hint: 'install qemu' } });
    expect(link.calls).toContainEqual(['engine.status', { a: 1 }]);
    ws.close();
  });

  it('carries a stream both ways, ends it with its error, and cancels what a closed page left open', async () => {
    const { ws, frames } = await connect();
    ws.send(JSON.stringify({ type: 'open', id: 7, channel: 'some.stream', request: { n: 1 } }));
    await expect.poll(() => frames).toContainEqual({ type: 'chunk', id: 7, payload: { request: { n: 1 } } });
    ws.send(JSON.stringify({ type: 'input', id: 7, payload: 'ls' }));
    await expect.poll(() => frames).toContainEqual({ type: 'chunk', id: 7, payload: { input: 'ls' } });
    ws.send(JSON.stringify({ type: 'input', id: 7, payload: 'done' }));
    await expect.poll(() => frames).toContainEqual({ type: 'end', id: 7 });
    ws.send(JSON.stringify({ type: 'open', id: 8, channel: 'bad.stream', request: {} }));
    await expect.poll(() => frames).toContainEqual({ type: 'end', id: 8, error: { name: 'Nope', message: 'no stream', hint: 'try another' } });
    ws.send(JSON.stringify({ type: 'open', id: 9, channel: 'some.stream', request: { n: 9 } }));
    await expect.poll(() => frames).toContainEqual({ type: 'chunk', id: 9, payload: { request: { n: 9 } } });
    ws.close();
    await expect.poll(() => link.cancelled).toEqual([{ n: 9 }]);
  });

  it('relays every event to every page', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    link.fire('engine.changed', { state: 'starting' });
    const frame = { type: 'event', channel: 'engine.changed', payload: { state: 'starting' } };
    await expect.poll(() => [a.frames, b.frames]).toEqual([[frame], [frame]]);
    a.ws.close();
    b.ws.close();
  });

  it('closes a socket that sends something other than a call frame', async () => {
    const { ws, closed } = await connect();
    ws.send('not json');
    expect(await closed).toBe(1008);
  });

  it('closes a socket whose frame made the relay throw, and goes on serving', async () => {
    const { ws, closed } = await connect();
    ws.send(JSON.stringify({ type: 'open', id: 1, channel: 'throwing.stream', request: {} }));
    expect(await closed).toBe(1011);
    const next = await connect();
    next.ws.send(JSON.stringify({ type: 'call', id: 2, channel: 'engine.status', request: {} }));
    await expect.poll(() => next.frames).toContainEqual({ type: 'reply', id: 2, result: { echo: {} } });
    next.ws.close();
  });

  it('makes pages reconnect when the daemon went away, so they reload its state', async () => {
    const { closed } = await connect();
    link.lose();
    expect(await closed).toBe(1012);
  });

  it('answers 400 to a request target that is no URL, and goes on serving', async () => {
    const host = `Host: 127.0.0.1:${server.port}\r\nConnection: close\r\n`;
    const plain = await sendRaw(`GET http://[ HTTP/1.1\r\n${host}\r\n`);
    expect(plain).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(plain).toContain('Malformed request target');
    const withToken = await sendRaw(`GET http://[/?token=${server.token} HTTP/1.1\r\n${host}\r\n`);
    expect(withToken).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = await sendRaw(`GET http://[ HTTP/1.1\r\n${host}Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${'a'.repeat(22)}==\r\n\r\n`);
    expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
    expect(await sendRaw(`GET /%E0%A4%A HTTP/1.1\r\n${host}\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers 400, saying what was wrong, to what the HTTP parser refuses', async () => {
    const broken = ['BREW / HTTP/1.1\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n', `GET / HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`];
    const answers = await Promise.all(broken.map((bytes) => sendRaw(bytes)));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\n(Malformed request|Request headers too large) \(HPE_/);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('serves an extension page on its own origin, with ddClient, and answers 400 there too to a target that is no URL', async () => {
    const key = '0123456789abcdef';
    mkdirSync(join(base, 'renderer', 'extensions', key, 'ui'), { recursive: true });
    writeFileSync(join(base, 'renderer', 'extensions', key, 'ui', 'index.html'), '<html><head></head><body>ext</body></html>');
    link.replies['extensions.list'] = {
      extensions: [
        {
          key, id: 'acme/ext', image: 'acme/ext:1', version: '1', title: 'Ext', description: '', vendor: '', apiVersion: '>= 0.3', icon: '',
          detailedDescription: '', changelog: '', publisherUrl: '', screenshots: [], additionalUrls: [], categories: [],
          ui: { title: 'Ext', src: '/index.html' }, vm: null, hostBinaries: [], installedAt: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const cookie = (await fetch(server.url)).headers.get('set-cookie')!.split(';')[0]!;
    const frame = (await (await fetch(`http://127.0.0.1:${server.port}/extension-frame?key=${key}`, { headers: { cookie } })).json()) as { url: string };
    const host = new URL(frame.url).host;
    expect(host).toMatch(new RegExp(`^[0-9a-f]{32}\\.localhost:${server.port}$`));
    const page = await sendRaw(`GET /index.html HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(page).toMatch(/^HTTP\/1\.1 200 /);
    expect(page).toContain('<head><script src="/__berth/ddclient.js"></script></head>');
    expect(await sendRaw(`GET http://[ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    const upgrade = (path: string): Promise<string> =>
      sendRaw(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    expect(await upgrade('/__berth/ddclient')).toMatch(/^HTTP\/1\.1 101 /);
    expect(await upgrade('/elsewhere')).toMatch(/^HTTP\/1\.1 404 /);
    expect(await upgrade('http://[')).toMatch(/^HTTP\/1\.1 400 /);
  });
});
