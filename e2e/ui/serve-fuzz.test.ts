import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { newInstance, processesOf, type Instance } from '../support/berth';
import { startServe, type Served } from '../support/serve';

// `berth serve` is reachable by every process on this computer and every container through the host alias:
// whatever bytes arrive, it answers with a refusal and keeps serving the window. Loopback only.

const REQUESTS = 1_000;
const AT_ONCE = 25;
/** Printed with every failure, so a failing run can be replayed with BERTH_FUZZ_SEED. */
const SEED = Number(process.env.BERTH_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));

/** mulberry32: small, seedable, and good enough to pick fuzz cases. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function cases(port: number, random: () => number): Buffer[] {
  const int = (below: number): number => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (length: number): Buffer => Buffer.from(Array.from({ length }, () => int(256)));
  const highBytes = (length: number): string => Buffer.from(Array.from({ length }, () => 0x80 + int(128))).toString('latin1');
  const text = (length: number): string => Array.from({ length }, () => String.fromCharCode(int(95) + 32)).join('');
  const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/';
  const path = (length: number): string => `/${Array.from({ length }, () => URL_SAFE[int(URL_SAFE.length)]).join('')}`;
  // What the server really routes, so that well-formed requests without the token reach every refusal.
  const routes = ['/', '/index.html', '/assets/index.js', '/ws', `/extension-frame?key=${'0'.repeat(16)}`, '/__berth/ddclient.js', '/__berth/ddclient', `/?token=${text(43)}`];
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'BREW', 'G ET', 'get', '', 'GET\0', highBytes(3), text(int(12))];
  const targets = [
    'http://[', 'http://[/?token=x', 'http://[::1', 'http://a b/', 'http://:99999/', '/%', '/%zz', '/%E0%A4%A', '/%00', '/\0', '*', '//', '///x',
    '/../../../etc/passwd', '/..%2f..%2fetc/passwd', '/extension-frame?key=%', '/ws?token=%', `/?token=${text(43)}`, '/?token=', '/__berth/ddclient.js',
    `/${highBytes(8)}`, `/${text(int(200))}`, `/${'a'.repeat(70_000)}`, '', ' ', '/ /', `http://127.0.0.1:${port}/`, 'berth://app/index.html', '/\u00e9\u4e2d',
  ];
  const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/9.9', 'HTTP/1', 'HTTX/1.1', 'HTTP/1.1 extra', '', 'http/1.1', `HTTP/${highBytes(2)}`];
  const hosts = [`127.0.0.1:${port}`, `${'0'.repeat(32)}.localhost:${port}`, `${text(32)}.localhost:${port}`, 'localhost', '', highBytes(6), `127.0.0.1:${port}\r\nHost: evil`];
  const headers = [
    () => `Host: ${pick(hosts)}`,
    () => `Cookie: berth_token_${port}=${pick([text(43), '', highBytes(10), '%'])}`,
    () => `Origin: ${pick([`http://127.0.0.1:${port}`, 'http://evil.example', 'null', highBytes(4)])}`,
    () => 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    () => `Content-Length: ${pick(['-1', '5', '99999999999999999999', 'x', '1, 2'])}`,
    () => 'Transfer-Encoding: chunked',
    () => 'Transfer-Encoding: chunked\r\nContent-Length: 3',
    () => `X-${text(int(20))}: ${text(int(100))}`,
    () => 'No colon here',
    () => ' Folded: line',
    () => `${text(10)}\r${text(10)}`,
    () => `X-Big: ${'b'.repeat(20_000 + int(50_000))}`,
    () => `X-Bytes: ${highBytes(20)}`,
  ];
  const wellFormed = [0, 1, 2, 3, 7].map((n) => headers[n]!);
  const bodies = ['', '0\r\n\r\n', 'zz\r\nhello\r\n', 'hello', bytes(64).toString('latin1')];

  // Six kinds in turn: random bytes, then requests with a broken method, target, version or headers, then
  // well-formed requests without the token.
  return Array.from({ length: REQUESTS }, (_unused, n) => {
    const kind = n % 6;
    if (kind === 0) return bytes(1 + int(pick([16, 256, 4096, 200_000])));
    const method = kind === 1 ? pick(methods) : pick(['GET', 'HEAD', 'POST']);
    const target = kind === 2 ? pick(targets) : kind === 5 ? pick(routes) : path(int(30));
    const version = kind === 3 ? pick(versions) : 'HTTP/1.1';
    const lines = [`${method} ${target} ${version}`];
    const count = kind === 4 ? 1 + int(8) : int(3);
    if (kind !== 4 || random() < 0.5) lines.push(`Host: 127.0.0.1:${port}`);
    for (let i = 0; i < (kind === 5 ? 0 : count); i++) lines.push(pick(headers)());
    // Well-formed but without the token: these reach the Host, origin and token checks and the routes behind them.
    if (kind === 5) return Buffer.from(`${lines.join('\r\n')}\r\n${pick(wellFormed)()}\r\n\r\n`, 'latin1');
    const end = pick(['\r\n\r\n', '\r\n\r\n', '\n\n', '\r\n', '']);
    return Buffer.from(`${lines.join(kind === 4 && random() < 0.3 ? '\n' : '\r\n')}${end}${pick(bodies)}`, 'latin1');
  });
}

interface Outcome {
  request: Buffer;
  /** Status codes of every response the server wrote on the connection. */
  statuses: number[];
  /** How the connection ended: closed by the server, reset, or still open when the test gave up on it. */
  ended: 'closed' | 'reset' | 'timeout';
}

function send(port: number, request: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const finish = (ended: Outcome['ended']): void => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ request, statuses: [...text.matchAll(/(?:^|\r\n)HTTP\/\d\.\d (\d{3}) /g)].map((match) => Number(match[1])), ended });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', () => finish('closed'));
    socket.once('error', () => finish('reset'));
    socket.setTimeout(5_000, () => finish('timeout'));
  });
}

const shown = (request: Buffer): string => JSON.stringify(request.subarray(0, 160).toString('latin1'));

describe('`berth serve` under a fuzz of malformed requests', () => {
  let instance: Instance;
  let served: Served;

  beforeAll(async () => {
    instance = newInstance();
    served = await startServe(instance);
  });

  afterAll(async () => {
    await served?.stop();
    // The socket opened at the end dialled the daemon; with its engine stopped it leaves once nothing holds it.
    for (const deadline = Date.now() + 15_000; instance && processesOf(instance).length > 0 && Date.now() < deadline; ) {
      await new Promise((done) => setTimeout(done, 250));
    }
    if (instance) rmSync(instance.home, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} random request lines with refusals, never lets one in, and keeps serving (seed ${SEED})`, async () => {
    const started = Date.now();
    const requests = cases(served.port, generator(SEED));
    const outcomes: Outcome[] = [];
    for (let at = 0; at < requests.length; at += AT_ONCE) {
      outcomes.push(...(await Promise.all(requests.slice(at, at + AT_ONCE).map((request) => send(served.port, request)))));
    }
    const seconds = (Date.now() - started) / 1000;

    // None carried the token, so nothing may be served, switched to a socket or redirected; and nothing may fail inside.
    const admitted = outcomes.filter((outcome) => outcome.statuses.some((status) => status < 400 || status >= 500));
    expect(admitted.map((outcome) => `${outcome.statuses.join(',')} for ${shown(outcome.request)}`), `seed ${SEED}`).toEqual([]);
    // The server answers what it refuses rather than hanging up on it (a reset may still meet a huge request
    // mid-send). Empty lines before a request are allowed by HTTP: bytes that are nothing else ask nothing.
    const asked = (request: Buffer): boolean => !/^[\r\n]*$/.test(request.toString('latin1'));
    const unanswered = outcomes.filter((outcome) => outcome.statuses.length === 0 && outcome.ended !== 'reset' && asked(outcome.request));
    expect(unanswered.map((outcome) => `${outcome.ended}: ${shown(outcome.request)}`), `seed ${SEED}`).toEqual([]);
    expect(seconds).toBeLessThan(30);
    expect(served.stderr()).not.toMatch(/failed:/);

    // Still the same process, and still serving the window and its socket to whoever has the token.
    expect(served.exited()).toBe(false);
    const page = await fetch(served.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, { origin: served.origin });
      ws.once('open', () => {
        ws.close();
        resolve(true);
      });
      ws.once('error', () => resolve(false));
    });
    expect(opened).toBe(true);
    console.log(`fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s, seed ${SEED}; statuses ${JSON.stringify(countStatuses(outcomes))}`);
  });
});

function countStatuses(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { statuses, ended } of outcomes) {
    const key = statuses.length ? statuses.join('+') : ended;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
