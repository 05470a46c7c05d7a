import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Target } from '../window/target';

/** The secret in the printed URL: anything else on this machine can reach 127.0.0.1, only the user has the token. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Hashing first makes the comparison constant-time even when the lengths differ. */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** Cookies are shared by every port of a host, so the name carries the port to keep instances apart. */
export const cookieName = (port: number): string => `berth_token_${port}`;

export function cookieHeader(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export type Verdict = { ok: true; fromQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/**
 * Decides whether a request may go on: the token from `?token=` or from our cookie, and the Host header
 * (a DNS-rebinding page reaches 127.0.0.1 under a foreign host name). WebSocket upgrades must also come
 * from our own origin, since browsers let any page open a socket to any host.
 */
export function checkRequest(req: IncomingMessage, target: Target, port: number, token: string, upgrade: boolean): Verdict {
  const self = `127.0.0.1:${port}`;
  if (req.headers.host !== self) return { ok: false, status: 403, reason: `Host must be ${self}.` };
  if (upgrade && req.headers.origin !== `http://${self}`) {
    return { ok: false, status: 403, reason: 'This socket only answers the page Berth serves.' };
  }
  const query = target.query.get('token');
  const cookie = cookieValue(req.headers.cookie, cookieName(port));
  if (query === null && cookie === null) {
    return { ok: false, status: 401, reason: 'Open the URL printed by `berth serve`: it carries the access token.' };
  }
  if (query !== null ? tokenMatches(token, query) : tokenMatches(token, cookie)) return { ok: true, fromQuery: query !== null };
  return { ok: false, status: 403, reason: 'Wrong access token: open the URL printed by the running `berth serve`.' };
}
