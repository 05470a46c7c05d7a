import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseTarget } from '../window/target';
import { checkRequest as checkParsed, cookieHeader, newToken, tokenMatches } from './token';

const PORT = 4242;
const TOKEN = newToken();
const request = (url: string, headers: Record<string, string> = {}): IncomingMessage =>
  ({ url, headers: { host: `127.0.0.1:${PORT}`, ...headers } }) as unknown as IncomingMessage;
/** The server parses the target first; these requests all parse. */
const checkRequest = (req: IncomingMessage, port: number, token: string, upgrade: boolean) => checkParsed(req, parseTarget(req.url)!, port, token, upgrade);

describe('access token', () => {
  it('is 32 random bytes in base64url', () => {
    expect(Buffer.from(TOKEN, 'base64url')).toHaveLength(32);
    expect(TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(TOKEN);
  });

  it('matches only itself', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN, `${TOKEN}x`)).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN.slice(1))).toBe(false);
    expect(tokenMatches(TOKEN, '')).toBe(false);
    expect(tokenMatches(TOKEN, null)).toBe(false);
  });
});

describe('checkRequest', () => {
  it('lets the token in from the URL, and says so, so the server can set the cookie', () => {
    expect(checkRequest(request(`/?token=${TOKEN}`), PORT, TOKEN, false)).toEqual({ ok: true, fromQuery: true });
  });

  it('lets our cookie in, and no other port’s', () => {
    const cookie = cookieHeader(PORT, TOKEN).split(';')[0]!;
    expect(checkRequest(request('/assets/x.js', { cookie: `a=b; ${cookie}` }), PORT, TOKEN, false)).toEqual({ ok: true, fromQuery: false });
    const other = cookieHeader(PORT + 1, TOKEN).split(';')[0]!;
    expect(checkRequest(request('/', { cookie: other }), PORT, TOKEN, false)).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses a missing token with 401 and a wrong one with 403', () => {
    expect(checkRequest(request('/'), PORT, TOKEN, false)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest(request('/?token='), PORT, TOKEN, false)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequest(request(`/?token=${newToken()}`), PORT, TOKEN, false)).toMatchObject({ ok: false, status: 403 });
    // A wrong token in the URL is not rescued by a right cookie: the URL is what the user opened.
    const cookie = cookieHeader(PORT, TOKEN).split(';')[0]!;
    expect(checkRequest(request('/?token=nope', { cookie }), PORT, TOKEN, false)).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses foreign Host headers, as a DNS-rebinding page would send', () => {
    expect(checkRequest(request(`/?token=${TOKEN}`, { host: `evil.example:${PORT}` }), PORT, TOKEN, false)).toMatchObject({ status: 403 });
    expect(checkRequest(request(`/?token=${TOKEN}`, { host: `localhost:${PORT}` }), PORT, TOKEN, false)).toMatchObject({ status: 403 });
  });

  it('wants WebSocket upgrades from our own origin only', () => {
    const url = `/ws?token=${TOKEN}`;
    expect(checkRequest(request(url, { origin: `http://127.0.0.1:${PORT}` }), PORT, TOKEN, true)).toMatchObject({ ok: true });
    expect(checkRequest(request(url, { origin: 'http://evil.example' }), PORT, TOKEN, true)).toMatchObject({ status: 403 });
    expect(checkRequest(request(url, { origin: `http://127.0.0.1:${PORT + 1}` }), PORT, TOKEN, true)).toMatchObject({ status: 403 });
    expect(checkRequest(request(url), PORT, TOKEN, true)).toMatchObject({ status: 403 });
  });

  it('sets a cookie scripts cannot read and other sites cannot send', () => {
    expect(cookieHeader(PORT, TOKEN)).toBe(`berth_token_${PORT}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
  });
});
