import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import GENERIC_ICON from './genericIcon.svg?raw';
import { fetchIcon, labelIcon } from './icon';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#123456"/></svg>';
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** What each path of the test server answers; `requests` counts what arrived. */
const routes: Record<string, (res: ServerResponse) => void> = {
  '/icon.svg': (res) => res.writeHead(200, { 'Content-Type': 'image/svg+xml; charset=utf-8' }).end(SVG),
  '/icon.png': (res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG),
  '/moved': (res) => res.writeHead(302, { Location: '/icon.png' }).end(),
  '/missing': (res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no'),
  '/page': (res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<h1>not an icon</h1>'),
  '/untyped': (res) => res.writeHead(200).end(SVG),
  '/big-declared': (res) => res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': String(2048) }).end(Buffer.alloc(2048)),
  // No length given: the limit has to be kept while the body streams in.
  '/big-streamed': (res) => {
    res.writeHead(200, { 'Content-Type': 'image/png' });
    let sent = 0;
    const more = () => {
      if (sent >= 8) return res.end();
      sent += 1;
      res.write(Buffer.alloc(512), more);
    };
    more();
  },
  '/silent': () => undefined,
  '/stalls': (res) => {
    res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
    res.write('<svg');
  },
};

let server: Server;
let base: string;
let requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    (routes[req.url ?? ''] ?? ((answer: ServerResponse) => answer.writeHead(404).end()))(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const options = { limit: 1024, timeoutMs: 400 };

describe('fetching an icon', () => {
  it('takes an image of a known type, following redirects', async () => {
    expect(await fetchIcon(`${base}/icon.svg`, options)).toEqual({ type: 'image/svg+xml', data: Buffer.from(SVG) });
    expect(await fetchIcon(`${base}/moved`, options)).toEqual({ type: 'image/png', data: PNG });
  });

  const refused: Array<[string, string, RegExp]> = [
    ['a status other than 2xx', '/missing', /answered 404 Not Found$/],
    ['a page that is not an image', '/page', /sent text\/html, not an SVG, PNG, JPEG, GIF, WebP or ICO image$/],
    ['an answer without a content type', '/untyped', /sent no content type/],
    ['a body the server says is too large', '/big-declared', /is larger than 1 KB$/],
    ['a body that turns out too large while it streams', '/big-streamed', /is larger than 1 KB$/],
    ['a server that never answers', '/silent', /was not fetched within 0.4 s$/],
    ['a body that stalls halfway', '/stalls', /was not fetched within 0.4 s$/],
  ];
  for (const [what, path, message] of refused) {
    it(`refuses ${what}, saying so`, async () => {
      await expect(fetchIcon(`${base}${path}`, options)).rejects.toThrow(message);
    });
  }

  it('refuses what is not an http or https URL, and a port nothing listens on', async () => {
    await expect(fetchIcon('file:///etc/passwd', options)).rejects.toThrow('file:///etc/passwd is not an http or https URL');
    await expect(fetchIcon('icon.svg', options)).rejects.toThrow('"icon.svg" is not a URL');
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    await expect(fetchIcon(`http://127.0.0.1:${port}/icon.svg`, options)).rejects.toThrow(/could not be fetched: .*ECONNREFUSED/);
  });
});

describe("an extension's icon from its label", () => {
  let folder: string;
  let log: string[];
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'berth-icon-'));
    log = [];
    requests = [];
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const fromLabel = (label: string | undefined, network: 'normal' | 'host-only' = 'normal') =>
    labelIcon(label, folder, 'acme/ext:1', { network, log: (line) => log.push(line), ...options });
  const generic = `data:image/svg+xml;base64,${Buffer.from(GENERIC_ICON).toString('base64')}`;

  it('is fetched in normal network mode and kept in the folder as icon.<ext>', async () => {
    expect(await fromLabel(`${base}/icon.png`)).toBe(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(readdirSync(folder)).toEqual(['icon.png']);
    expect(readFileSync(join(folder, 'icon.png'))).toEqual(PNG);
    expect(log).toEqual([`extensions: the icon of acme/ext:1 came from ${base}/icon.png`]);
  });

  it('is not fetched at all in host-only mode: the generic icon, and why', async () => {
    expect(await fromLabel(`${base}/icon.svg`, 'host-only')).toBe(generic);
    expect(requests).toEqual([]);
    expect(readFileSync(join(folder, 'icon.svg'), 'utf8')).toBe(GENERIC_ICON);
    expect(log).toEqual([`extensions: acme/ext:1 gets the generic icon: its metadata.json names no icon, and the host-only network setting keeps Berth from fetching ${base}/icon.svg`]);
  });

  for (const [what, path, reason] of [
    ['no label', null, 'it has no com.docker.desktop.extension.icon label'],
    ['a bad status', '/missing', 'answered 404'],
    ['a bad content type', '/page', 'sent text/html'],
    ['an icon over the limit', '/big-streamed', 'is larger than 1 KB'],
    ['a timeout', '/silent', 'was not fetched within 0.4 s'],
  ] as const) {
    it(`gives the generic icon for ${what}, never a refusal`, async () => {
      expect(await fromLabel(path === null ? undefined : `${base}${path}`)).toBe(generic);
      expect(readdirSync(folder)).toEqual(['icon.svg']);
      expect(log).toHaveLength(1);
      expect(log[0]).toContain(reason);
    });
  }
});
