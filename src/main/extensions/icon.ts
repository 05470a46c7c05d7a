import { readFile, writeFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BerthError } from '../api/errors';
import type { NetworkMode } from '../settings/schema';
import GENERIC_ICON from './genericIcon.svg?raw';
import { SINGLE_FILE_LIMIT, type ImageFiles } from './imageFiles';
import { inImage } from './metadata';

/** The label that gives an extension's icon as a URL, for the Marketplace and for images whose metadata.json names none. */
export const ICON_LABEL = 'com.docker.desktop.extension.icon';
/** An icon, shipped or fetched, is refused above this size. */
export const ICON_LIMIT = 512 * 1024;
/** How long fetching the label's icon may take, all of it, before the install goes on with the generic icon. */
const ICON_FETCH_TIMEOUT_MS = 10_000;

const TYPES_BY_NAME: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
};
const EXTENSIONS_BY_TYPE: Record<string, string> = {
  'image/svg+xml': '.svg',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/x-icon': '.ico',
  'image/vnd.microsoft.icon': '.ico',
};

const dataUrl = (type: string, data: Buffer): string => `data:${type};base64,${data.toString('base64')}`;

function typeOf(path: string, data: Buffer): string | null {
  const byName = TYPES_BY_NAME[extname(path).toLowerCase()];
  if (byName) return byName;
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  return /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data.subarray(0, 512).toString('utf8')) ? 'image/svg+xml' : null;
}

/** Copies the icon metadata.json names to icon.<ext> in `folder` and returns it as a data: URL for the record. */
export async function shippedIcon(files: ImageFiles, icon: string, folder: string, image: string): Promise<string> {
  const from = inImage(icon);
  const ext = TYPES_BY_NAME[extname(from).toLowerCase()] ? extname(from).toLowerCase() : '';
  const path = join(folder, `icon${ext}`);
  const kind = await files.copy(from, path, SINGLE_FILE_LIMIT);
  if (kind !== 'file') {
    throw new BerthError('ExtensionIconMissing', `${image} has no icon ${from}, which its metadata.json names.`, 'The extension image is incomplete: ask its publisher for a fixed version.');
  }
  const data = await readFile(path);
  if (data.length > ICON_LIMIT) {
    throw new BerthError('ExtensionIconTooLarge', `The icon of ${image} (${from}) is ${Math.ceil(data.length / 1024)} KB; Berth accepts up to ${ICON_LIMIT / 1024} KB.`, 'Ask the publisher for a smaller icon.');
  }
  const type = typeOf(from, data);
  if (!type) throw new BerthError('ExtensionIconInvalid', `The icon of ${image} (${from}) is not an SVG, PNG, JPEG, GIF, WebP or ICO image.`, 'Ask the publisher to fix the image.');
  return dataUrl(type, data);
}

export interface FetchedIcon {
  type: string;
  data: Buffer;
}

/**
 * Fetches an icon from `url` (http or https): an image type, a 2xx answer, at most `limit` bytes, all within
 * `timeoutMs`. Rejects with an Error saying what was wrong.
 */
export async function fetchIcon(url: string, options: { limit?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<FetchedIcon> {
  const { limit = ICON_LIMIT, timeoutMs = ICON_FETCH_TIMEOUT_MS } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${url} is not an http or https URL`);
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]);
  try {
    const response = await fetch(parsed, { signal, headers: { Accept: 'image/*' } });
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`.trimEnd());
    if (!EXTENSIONS_BY_TYPE[type]) throw new Error(`${url} sent ${type || 'no content type'}, not an SVG, PNG, JPEG, GIF, WebP or ICO image`);
    if (Number(response.headers.get('content-length') ?? 0) > limit) throw new Error(`${url} is larger than ${limit / 1024} KB`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body?.getReader();
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new Error(`${url} is larger than ${limit / 1024} KB`);
      }
      chunks.push(value);
    }
    return { type, data: Buffer.concat(chunks) };
  } catch (error) {
    if (signal.aborted && !options.signal?.aborted) throw new Error(`${url} was not fetched within ${timeoutMs / 1000} s`);
    if (error instanceof TypeError) throw new Error(`${url} could not be fetched: ${error.cause instanceof Error ? error.cause.message : error.message}`);
    throw error;
  }
}

export interface LabelIconOptions {
  network: NetworkMode;
  log(line: string): void;
  signal?: AbortSignal;
  limit?: number;
  timeoutMs?: number;
}

/**
 * The icon of an extension whose metadata.json names none: the one its label points to, fetched when the
 * network setting lets Berth reach out (not host-only), else Berth's generic icon. Kept in `folder` as
 * icon.<ext> and returned as a data: URL, like a shipped one; never a reason to refuse the install.
 */
export async function labelIcon(label: string | undefined, folder: string, image: string, options: LabelIconOptions): Promise<string> {
  const url = label?.trim();
  let reason: string;
  if (!url) reason = `it has no ${ICON_LABEL} label`;
  else if (options.network === 'host-only') reason = `the host-only network setting keeps Berth from fetching ${url}`;
  else {
    try {
      const icon = await fetchIcon(url, options);
      await writeFile(join(folder, `icon${EXTENSIONS_BY_TYPE[icon.type]}`), icon.data, { mode: 0o600 });
      options.log(`extensions: the icon of ${image} came from ${url}`);
      return dataUrl(icon.type, icon.data);
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  options.log(`extensions: ${image} gets the generic icon: its metadata.json names no icon, and ${reason}`);
  const data = Buffer.from(GENERIC_ICON, 'utf8');
  await writeFile(join(folder, 'icon.svg'), data, { mode: 0o600 });
  return dataUrl('image/svg+xml', data);
}
