import { extname, join, normalize, sep } from 'node:path';
import { readFileInside } from './fileInside';

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

/** Reads a file of the built renderer; nothing outside `root` is reachable, whatever the path says. */
export async function readAsset(root: string, pathname: string): Promise<{ body: Buffer; type: string } | null> {
  if (pathname.includes('\0')) return null;
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^[/\\]+/, '');
  const file = join(root, relative);
  if (!file.startsWith(root + sep)) return null;
  const body = await readFileInside(root, file);
  return body && { body, type: TYPES[extname(file)] ?? 'application/octet-stream' };
}
