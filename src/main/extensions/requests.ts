import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { NavigateRequest } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Extension, ExtensionRequest } from '../api/extensions';

/** Docker Desktop's rule for host.openExternal: only web links leave the extension. */
export function checkExternalLink(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BerthError('LinkRefused', `"${url}" is not a URL.`, 'Pass a whole http:// or https:// address to openExternal.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BerthError('LinkRefused', `An extension may open only http and https links, not ${parsed.protocol} ones.`, 'Pass an http:// or https:// address to openExternal.');
  }
  return parsed.href;
}

const notFound = (what: string, name: string): BerthError =>
  new BerthError('NotFound', `There is no ${what} "${name}".`, `Check the ${what}'s name or ID: it may have been removed.`);

async function existing<T>(inspect: () => Promise<T>, what: string, name: string): Promise<T> {
  try {
    return await inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw notFound(what, name);
    throw error;
  }
}

const CONTAINER_TABS = { container: '', containerLogs: '/logs', containerInspect: '/inspect', containerTerminal: '/terminal', containerStats: '/stats' } as const;

/** The window's route for a navigation intent, once the object it names is known to exist (Docker Desktop rejects otherwise). */
export async function routeFor(engine: () => Docker, request: NavigateRequest): Promise<string> {
  const { to } = request;
  const id = request.id ?? '';
  if (to === 'containers') return '/containers';
  if (to === 'images') return '/images';
  if (to === 'volumes') return '/volumes';
  if (!id) throw new BerthError('InvalidRequest', `navigate.${to} needs the object's ID or name.`, 'Pass the ID or name as the first argument.');
  const docker = engine();
  if (to === 'image') {
    const reference = request.tag ? `${id}:${request.tag}` : id;
    await existing(() => docker.getImage(reference).inspect(), 'image', reference);
    return `/images?search=${encodeURIComponent(reference)}`;
  }
  if (to === 'volume') {
    await existing(() => docker.getVolume(id).inspect(), 'volume', id);
    return `/volumes?search=${encodeURIComponent(id)}`;
  }
  const container = await existing(() => docker.getContainer(id).inspect(), 'container', id);
  return `/containers/${encodeURIComponent(container.Id)}${CONTAINER_TABS[to]}`;
}

type Announce = (request: ExtensionRequest) => void;

/**
 * File choices an extension page waits for: the question goes to every window, the first answer counts.
 * A choice nobody answers is canceled after a while, so a page never waits for ever.
 */
export class DialogQuestions {
  private next = 1;
  private readonly waiting = new Map<number, (filePaths: string[] | null) => void>();

  constructor(
    private readonly announce: Announce,
    private readonly patienceMs = 10 * 60_000,
  ) {}

  ask(extension: Extension, directory: boolean, multiple: boolean): Promise<{ canceled: boolean; filePaths: string[] }> {
    const id = this.next++;
    return new Promise((done) => {
      const timer = setTimeout(() => this.answer(id, null), this.patienceMs);
      this.waiting.set(id, (filePaths) => {
        clearTimeout(timer);
        done(filePaths ? { canceled: false, filePaths } : { canceled: true, filePaths: [] });
      });
      this.announce({ kind: 'openDialog', key: extension.key, title: extension.title, id, directory, multiple });
    });
  }

  answer(id: number, filePaths: string[] | null): void {
    const settle = this.waiting.get(id);
    this.waiting.delete(id);
    settle?.(filePaths);
  }
}

/** One folder of this computer for the window's file chooser; an empty path is the user's home. */
export async function browseFolder(path: string): Promise<{ path: string; parent: string | null; entries: { name: string; directory: boolean }[] }> {
  const folder = resolve(path || homedir());
  let names;
  try {
    names = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'ENOTDIR' ? 'is not a folder' : code === 'EACCES' ? 'may not be read' : `cannot be read (${code})`;
    throw new BerthError('FolderUnreadable', `${folder} ${why}.`, 'Choose another folder.');
  }
  const entries = names
    .filter((entry) => entry.isDirectory() || entry.isFile() || entry.isSymbolicLink())
    .map((entry) => ({ name: entry.name, directory: entry.isDirectory() }))
    .sort((a, b) => Number(b.directory) - Number(a.directory) || a.name.localeCompare(b.name));
  return { path: folder, parent: dirname(folder) === folder ? null : dirname(folder), entries };
}
