import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { readFileInside } from '../extensions/fileInside';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** The window's policy in both carriers: only our own files run, and the only socket is ours. */
export function contentSecurityPolicy(connect: string, style = "'self'", frames = "'none'"): string {
  return [
    "default-src 'self'",
    `frame-src ${frames}`,
    "script-src 'self'",
    `style-src ${style}`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(connect: string, style?: string, frames?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(connect, style, frames),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The first URL carries the token: no page we load may pass it on.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

/** Reads a file of the built renderer; nothing outside `root` is reachable, whatever the path says. */
export async function readAsset(root: string, pathname: string): Promise<{ body: Buffer; type: string } | null> {
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^[/\\]+/, '');
  const file = join(root, relative);
  if (!file.startsWith(root + sep)) return null;
  const body = await readFileInside(root, file);
  return body && { body, type: TYPES[extname(file)] ?? 'application/octet-stream' };
}

export async function serveFile(root: string, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Only GET and HEAD.', { ...headers, Allow: 'GET, HEAD' });
    return;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  } catch {
    sendText(res, 400, 'Malformed path.', headers);
    return;
  }
  const asset = await readAsset(root, pathname);
  if (!asset) {
    sendText(res, 404, 'Not found.', headers);
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': asset.type, 'Content-Length': String(asset.body.length) });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}
