import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, realpath, rm, symlink, unlink } from 'node:fs/promises';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { BerthError } from '../api/errors';
import { refusal } from '../engine/client';

/** Everything one extension may unpack, together: far above any real extension, far below a full disk. */
export const UNPACK_LIMIT = 2 * 1024 * 1024 * 1024;
/** Entries (files, folders, links) one extension may unpack, together: a built UI has a few thousand. */
export const ENTRY_LIMIT = 50_000;
/** A single file read whole (metadata.json, the icon, a compose file) is refused well before it could fill the disk. */
export const SINGLE_FILE_LIMIT = 64 * 1024 * 1024;
/** Symlinks followed to reach one path of the image. */
const MAX_HOPS = 8;

function unsafe(image: string, problem: string): BerthError {
  return new BerthError(
    'ExtensionUnsafeFile',
    `${image} holds a file Berth will not unpack: ${problem}.`,
    'An extension may only write inside its own folder. Do not install this image; tell its publisher.',
  );
}

/** The entry's path below the archive's top entry (`top` itself is ''), or null when it lies elsewhere. */
function below(name: string, top: string): string | null {
  const path = posix.normalize(name).replace(/\/+$/, '');
  if (path === top) return '';
  return path.startsWith(`${top}/`) ? path.slice(top.length + 1) : null;
}

const inside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

/** Refuses to write through a symlink the archive made: a link's own target is checked, not what lies behind it. */
async function checkParents(root: string, target: string, image: string): Promise<void> {
  let at = root;
  for (const part of relative(root, dirname(target)).split(sep).filter(Boolean)) {
    at = join(at, part);
    const stat = await lstat(at).catch(() => null);
    if (stat?.isSymbolicLink()) throw unsafe(image, `${relative(root, target)} lies behind the symlink ${relative(root, at)}`);
    if (stat && !stat.isDirectory()) throw unsafe(image, `${relative(root, target)} lies below the file ${relative(root, at)}`);
  }
}

/**
 * What one install may write, over every path it unpacks: bytes (a hard link's copy counts as much as its
 * source) and entries. One budget per install, so many small archives cannot add up past it either.
 */
export class UnpackBudget {
  private bytes = 0;
  private entries = 0;

  constructor(
    private readonly bytesLimit = UNPACK_LIMIT,
    private readonly entriesLimit = ENTRY_LIMIT,
  ) {}

  /** Counts one entry of `size` bytes, refusing the image once either limit is passed. */
  charge(image: string, size: number): void {
    this.bytes += size;
    this.entries += 1;
    if (this.bytes > this.bytesLimit) throw unsafe(image, `its files add up to more than ${megabytes(this.bytesLimit)}, hard links counted as copies`);
    if (this.entries > this.entriesLimit) throw unsafe(image, `it holds more than ${this.entriesLimit} files, folders and links`);
  }
}

const megabytes = (bytes: number): string => (bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${bytes} bytes`);

/**
 * A symlink's target as Berth writes it: relative, and without a `..` component. Links that only ever go
 * down cannot lead out of the folder however they chain (`a/p -> ../..` beside `b -> a/p/../..` each look
 * inside, yet resolve outside), so climbing is refused outright.
 */
function checkLinkTarget(name: string, link: string, image: string): void {
  if (posix.isAbsolute(link)) throw unsafe(image, `the symlink ${name} points outside its folder (to ${link})`);
  if (link.split('/').includes('..')) throw unsafe(image, `the symlink ${name} points to ${link}, a path that climbs with ".."`);
}

/** Refuses any link written under `root` whose real resolution leaves it (belt and braces for checkLinkTarget). */
async function checkResolved(root: string, links: string[], image: string): Promise<void> {
  if (!links.length) return;
  const real = await realpath(root);
  for (const link of links) {
    const resolved = await realpath(link).catch(() => null);
    if (resolved !== null && !inside(real, resolved)) throw unsafe(image, `the symlink ${relative(root, link)} resolves outside its folder`);
  }
}

/** What an archive of one path held, when that path is not a folder or file to unpack but a link to follow. */
export type Unpacked = { kind: 'file' | 'directory'; bytes: number } | { kind: 'symlink'; target: string };

/**
 * Unpacks a tar whose top entry is `top` (as the engine archives one path) so that `top` becomes `into`:
 * its files, folders and symlinks. Refuses entries that would land outside `into`, symlinks that point
 * outside it or climb, writes through a symlink, and more than `budget` allows (or, for this path alone,
 * `fileLimit` bytes); skips devices and FIFOs. When `top` itself is a symlink,
 * nothing is written and its target is returned for the caller to follow.
 */
export async function unpackTar(source: Readable, top: string, into: string, image: string, budget = new UnpackBudget(), fileLimit = Infinity): Promise<Unpacked> {
  const root = resolve(into);
  const tar = extract();
  source.on('error', (error) => tar.destroy(error));
  source.on('data', (chunk: Buffer) => {
    if (!tar.write(chunk)) source.pause();
  });
  tar.on('drain', () => source.resume());
  source.on('end', () => tar.end(undefined));
  let result: Unpacked | null = null;
  let bytes = 0;
  const links: string[] = [];
  const count = (size: number): void => {
    bytes += size;
    if (bytes > fileLimit) throw unsafe(image, `${top} is larger than ${megabytes(fileLimit)}`);
    budget.charge(image, size);
  };
  const drain = async (entry: AsyncIterable<unknown>): Promise<void> => {
    for await (const _ of entry);
  };
  try {
    for await (const entry of tar) {
      const { header } = entry;
      const rest = below(header.name, top);
      if (rest === null) throw unsafe(image, `the archive of ${top} also holds ${header.name}`);
      const target = resolve(root, rest);
      if (!inside(root, target)) throw unsafe(image, `${header.name} points outside its folder`);
      if (rest === '' && header.type === 'symlink') {
        result = { kind: 'symlink', target: header.linkname };
        await drain(entry);
        continue;
      }
      if (rest !== '') await checkParents(root, target, image);
      if (header.type !== 'symlink' && header.type !== 'link') count(header.type === 'file' || header.type === 'contiguous-file' ? (header.size ?? 0) : 0);
      const existing = await lstat(target).catch(() => null);
      switch (header.type) {
        case 'directory':
          if (existing && !existing.isDirectory()) await unlink(target);
          await mkdir(target, { recursive: true, mode: 0o700 });
          await drain(entry);
          break;
        case 'file':
        case 'contiguous-file': {
          if (existing?.isDirectory()) throw unsafe(image, `${header.name} is both a folder and a file`);
          if (existing) await unlink(target);
          await mkdir(dirname(target), { recursive: true, mode: 0o700 });
          // Owner permissions only: the folder is the user's alone, and setuid bits mean nothing here.
          const file = await open(target, 'wx', (header.mode & 0o700) | 0o600);
          try {
            for await (const chunk of entry) await file.write(chunk as Buffer);
          } finally {
            await file.close();
          }
          break;
        }
        case 'symlink': {
          const linkname = header.linkname;
          checkLinkTarget(header.name, linkname, image);
          count(0);
          if (existing?.isDirectory()) throw unsafe(image, `${header.name} is both a folder and a symlink`);
          if (existing) await unlink(target);
          await mkdir(dirname(target), { recursive: true, mode: 0o700 });
          await symlink(linkname, target);
          links.push(target);
          await drain(entry);
          break;
        }
        case 'link': {
          // A hard link names another entry of the same archive, already written: linked again here, it costs no
          // space, but counts as a copy so that a small archive cannot pass for a small extension.
          const from = below(header.linkname, top);
          const source = from === null ? null : resolve(root, from);
          if (source === null || !inside(root, source)) throw unsafe(image, `the hard link ${header.name} points outside its folder`);
          await checkParents(root, source, image);
          const linked = await lstat(source).catch(() => null);
          if (!linked?.isFile()) throw unsafe(image, `the hard link ${header.name} names no file unpacked before it`);
          count(linked.size);
          if (existing) await unlink(target);
          await link(source, target);
          await drain(entry);
          break;
        }
        default:
          await drain(entry);
      }
      if (rest === '') result = { kind: header.type === 'directory' ? 'directory' : 'file', bytes };
    }
    await checkResolved(root, links, image);
  } catch (error) {
    if (error instanceof BerthError) throw error;
    throw new BerthError('ExtensionUnpackFailed', `Could not unpack ${top} of ${image}: ${(error as Error).message}`, 'Try again; if it keeps failing, the daemon log has the details.');
  } finally {
    source.destroy();
  }
  if (result === null) throw new BerthError('ExtensionUnpackFailed', `The engine sent no ${top} for ${image}.`, 'Try again; if it keeps failing, the daemon log has the details.');
  if (result.kind !== 'symlink') result.bytes = bytes;
  return result;
}

/**
 * An extension image's files, read through a container created from it (never started): the engine
 * archives any path of it on request. close() removes the container.
 */
export class ImageFiles {
  /** One budget for everything read from this image: one install. */
  private readonly budget = new UnpackBudget();

  private constructor(
    private readonly container: Docker.Container,
    private readonly image: string,
  ) {}

  static async open(docker: Docker, imageId: string, image: string): Promise<ImageFiles> {
    try {
      const container = await docker.createContainer({
        Image: imageId,
        name: `berth-extension-unpack-${randomBytes(6).toString('hex')}`,
        // Never run: an entrypoint is set only because the engine refuses to create a container without a command.
        Entrypoint: ['/berth-never-started'],
        Cmd: [],
        NetworkDisabled: true,
        Labels: { 'dev.berth.extension.unpack': image },
        HostConfig: { NetworkMode: 'none' },
      });
      return new ImageFiles(container, image);
    } catch (error) {
      throw new BerthError('ExtensionUnpackFailed', `Could not open ${image} to read its files: ${refusal(error).said}`, 'The daemon log has the details; try again.');
    }
  }

  /** The image path `path` resolves to, following symlinks in the image; null when it does not exist. */
  private async archive(path: string): Promise<NodeJS.ReadableStream | null> {
    try {
      return await this.container.getArchive({ path });
    } catch (error) {
      const { status, said } = refusal(error);
      if (status === 404) return null;
      throw new BerthError('ExtensionUnpackFailed', `Could not read ${path} from ${this.image}: ${said}`, 'The daemon log has the details; try again.');
    }
  }

  /**
   * Unpacks the file or folder at `path` in the image so that it becomes `into` (symlinks in the image
   * followed), at most `fileLimit` bytes of it. Resolves with what it was, or null when the image has no such path.
   */
  async copy(path: string, into: string, fileLimit = Infinity): Promise<'file' | 'directory' | null> {
    let at = posix.normalize(path);
    for (let hop = 0; hop <= MAX_HOPS; hop += 1) {
      const stream = await this.archive(at);
      if (!stream) return null;
      const unpacked = await unpackTar(stream as Readable, posix.basename(at), into, this.image, this.budget, fileLimit);
      if (unpacked.kind !== 'symlink') return unpacked.kind;
      at = posix.resolve(posix.dirname(at), unpacked.target);
    }
    throw new BerthError('ExtensionUnpackFailed', `${path} in ${this.image} is a chain of more than ${MAX_HOPS} symlinks.`, 'Ask the publisher to fix the image.');
  }

  async close(): Promise<void> {
    await this.container.remove({ force: true, v: true }).catch(() => undefined);
  }

  /** Removes containers that installs interrupted by a crash left behind. */
  static async sweep(docker: Docker): Promise<void> {
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: ['dev.berth.extension.unpack'] }) }).catch(() => []);
    for (const container of left) await docker.getContainer(container.Id).remove({ force: true, v: true }).catch(() => undefined);
  }
}

/** A scratch folder inside `parent` for one unpack, removed by the caller. */
export async function scratchFolder(parent: string, prefix: string): Promise<string> {
  const path = join(parent, `${prefix}${randomBytes(6).toString('hex')}`);
  await mkdir(path, { mode: 0o700 });
  return path;
}

export async function removeFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
