import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readAsset } from '../window/assets';
import type { Target } from '../window/target';

/** What a request whose target does not parse is told. */
export const MALFORMED_TARGET = 'Malformed request target: send a path such as /index.html, percent-encoded.';

/** Logs what a request made fail; the server itself goes on serving. */
export function logFailure(what: string, error: unknown): void {
  process.stderr.write(`berth serve: ${what} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

/**
 * Runs one request's (or frame's) handling so that nothing it throws, at once or later, reaches the process: the
 * request gets `fail` (a 500, a closed socket) and the log gets the cause.
 */
export function guard(what: string, handle: () => void | Promise<void>, fail: () => void): void {
  Promise.resolve()
    .then(handle)
    .catch((error: unknown) => {
      logFailure(what, error);
      fail();
    });
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

/** Answers on a socket that has no response object (an upgrade, or a request the parser gave up on), then closes it. */
export function answerRaw(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  const head = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`, 'Connection: close', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

export async function serveFile(root: string, method: string | undefined, target: Target, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return sendText(res, 405, 'Only GET and HEAD.', { ...headers, Allow: 'GET, HEAD' });
  const asset = await readAsset(root, target.path);
  if (!asset) return sendText(res, 404, 'Not found.', headers);
  res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': String(asset.body.length) });
  res.end(method === 'HEAD' ? undefined : asset.body);
}
