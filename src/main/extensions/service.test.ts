import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Extension } from '../api/extensions';
import type { SshLink } from '../tunnel/link';
import { backendPath, serviceRequest } from './service';

const extension = { key: '0123456789abcdef', id: 'acme/tool', title: 'Tool', vm: { kind: 'image', socket: 'tool.sock' } } as Extension;
const dir = mkdtempSync(join(tmpdir(), 'berth-service-'));
const socket = join(dir, 'backend.sock');
let server: Server;
const seen: Array<{ path: string; headers: IncomingMessage['headers'] }> = [];

/** The SSH link's one part serviceRequest uses: a channel to a socket path, here a local socket. */
const opened: string[] = [];
const link = {
  streamLocal: async (path: string) => {
    opened.push(path);
    return connect(socket);
  },
} as unknown as SshLink;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ path: request.url!, headers: request.headers });
      if (request.url === '/slow') return;
      if (request.url === '/json-as-text') {
        response.setHeader('content-type', 'text/plain; charset=utf-8');
        return response.end('{"a":1}');
      }
      if (request.url === '/missing') {
        response.statusCode = 404;
        return response.end('no such thing');
      }
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ method: request.method, type: request.headers['content-type'] ?? null, body }));
    });
  });
  await new Promise<void>((done) => server.listen(socket, done));
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'PUT', url: string, data?: unknown, headers?: Record<string, string>, timeoutMs?: number) =>
  serviceRequest(link, extension, { key: extension.key, method, url, data, headers }, timeoutMs);

describe('serviceRequest', () => {
  it("opens the backend's socket in the extension's own folder", async () => {
    opened.length = 0;
    await call('GET', '/items?id=1');
    expect(opened).toEqual(['/run/guest-services/0123456789abcdef/tool.sock']);
    expect(seen.at(-1)!.path).toBe('/items?id=1');
  });

  it('sends objects as JSON and text as text; a content type the page set stays', async () => {
    expect((await call('POST', '/a', { x: [1] })).body).toEqual({ method: 'POST', type: 'application/json', body: '{"x":[1]}' });
    expect((await call('PUT', '/a', 'words')).body).toEqual({ method: 'PUT', type: 'text/plain; charset=utf-8', body: 'words' });
    expect((await call('POST', '/a', '<a/>', { 'Content-Type': 'application/xml' })).body).toEqual({ method: 'POST', type: 'application/xml', body: '<a/>' });
  });

  it('drops framing headers a page sets', async () => {
    await call('POST', '/a', 'x', { Host: 'evil.example', 'Content-Length': '999', 'X-Mine': 'yes' });
    expect(seen.at(-1)!.headers).toMatchObject({ host: 'backend', 'content-length': '1', 'x-mine': 'yes' });
  });

  it('parses JSON whatever its content type, and gives other answers as text with their status', async () => {
    expect((await call('GET', '/json-as-text')).body).toEqual({ a: 1 });
    expect(await call('GET', '/missing')).toEqual({ statusCode: 404, statusText: 'Not Found', body: 'no such thing' });
  });

  it('gives up on a backend that does not answer in time', async () => {
    await expect(call('GET', '/slow', undefined, undefined, 300)).rejects.toMatchObject({ name: 'ServiceFailed', message: expect.stringContaining('no answer within 0.3 s') });
  });

  it('refuses a bad header as the page\'s mistake', async () => {
    await expect(call('GET', '/a', undefined, { 'Bad Name': 'x' })).rejects.toMatchObject({ name: 'BadServiceRequest' });
  });

  it('refuses an extension without a backend socket, or one named outside its folder', async () => {
    for (const vm of [null, { kind: 'compose' as const, socket: null }, { kind: 'image' as const, socket: '../other/x.sock' }]) {
      await expect(serviceRequest(link, { ...extension, vm }, { key: extension.key, method: 'GET', url: '/' })).rejects.toMatchObject({ name: 'NoBackend' });
    }
  });
});

describe('backendPath', () => {
  it('takes paths, and absolute URLs that name the backend itself', () => {
    expect(backendPath('/a/b?c=1')).toBe('/a/b?c=1');
    expect(backendPath('a/b')).toBe('/a/b');
    expect(backendPath('http://localhost/x?y')).toBe('/x?y');
    expect(backendPath('/a/../../b')).toBe('/b');
  });

  it('refuses URLs to anywhere else', () => {
    for (const url of ['http://example.com/', 'https://10.0.2.2/', '//example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', '\\\\host\\share']) {
      expect(() => backendPath(url)).toThrow(/not a path on the extension's backend/);
    }
  });
});
