import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../api/errors';
import { Extension, ExtensionKey } from '../api/extensions';
import { writeFileDurably } from '../durableFile';
import { extensionKey, repositoryOf } from './key';

/** The record in an extension's folder; written last, so its presence means the extension is installed. */
export const RECORD = 'extension.json';

/** The folder of the extension `key`; a key is 16 hex digits, so it never leads out of `extensionsDir`. */
export function extensionFolder(extensionsDir: string, key: string): string {
  return join(extensionsDir, ExtensionKey.parse(key));
}

/** Every installed extension, by title; a folder whose record is missing or broken is skipped and logged. */
export function listInstalled(extensionsDir: string, log: (line: string) => void = () => undefined): Extension[] {
  if (!existsSync(extensionsDir)) return [];
  const found: Extension[] = [];
  for (const name of readdirSync(extensionsDir)) {
    // Staging and removal folders start with a dot; anything else not named by a key is not ours.
    if (!ExtensionKey.safeParse(name).success) continue;
    const path = join(extensionsDir, name, RECORD);
    if (!existsSync(path)) continue;
    try {
      const record = Extension.parse(JSON.parse(readFileSync(path, 'utf8')));
      if (record.key !== name) throw new Error(`its key ${record.key} is not its folder's name`);
      found.push(record);
    } catch (error) {
      log(`extensions: skipping ${path}: ${(error as Error).message}`);
    }
  }
  return found.sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

/** The extension of `list` named by its key, its id, or an image reference of its repository. */
export function pickExtension(list: Extension[], keyOrId: string): Extension {
  const wanted = keyOrId.trim();
  let found = list.find((extension) => extension.key === wanted);
  if (!found) {
    let key: string | null = null;
    try {
      key = extensionKey(repositoryOf(wanted));
    } catch {
      // not a reference either: nothing matches
    }
    found = list.find((extension) => extension.key === key);
  }
  if (!found) {
    throw new BerthError(
      'ExtensionNotFound',
      `No extension ${wanted} is installed.`,
      list.length ? `Installed: ${list.map((extension) => extension.id).join(', ')}. \`berth extension ls\` lists them.` : 'Install one first, with `berth extension install IMAGE` or the Extensions view.',
    );
  }
  return found;
}

/** The installed extension named by its key, its id, or an image reference of its repository. */
export function findInstalled(extensionsDir: string, keyOrId: string, log?: (line: string) => void): Extension {
  return pickExtension(listInstalled(extensionsDir, log), keyOrId);
}

/** Writes the record in one step: a reader sees the old one or the new one, never half of either. */
export async function writeRecord(folder: string, record: Extension): Promise<void> {
  const path = join(folder, RECORD);
  writeFileDurably(path, `${JSON.stringify(Extension.parse(record), null, 2)}\n`, 0o600);
}

/**
 * Tidies what an install, update or removal cut short by a crash left in `extensionsDir`: staging and
 * removal folders go, and an update stopped between its two renames gets the old version back. Call it
 * while none of those runs (at daemon start).
 */
export async function recoverLeftovers(extensionsDir: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(extensionsDir)) return;
  for (const name of readdirSync(extensionsDir)) {
    const path = join(extensionsDir, name);
    const old = /^\.old-([0-9a-f]{16})-\d+$/.exec(name);
    if (old) {
      const folder = join(extensionsDir, old[1]);
      if (!existsSync(join(folder, RECORD))) {
        await rm(folder, { recursive: true, force: true });
        await rename(path, folder);
        log(`extensions: an update of ${old[1]} was cut short; the previous version is back`);
        continue;
      }
    } else if (!name.startsWith('.staging-') && !name.startsWith('.removing-')) {
      // A key folder without its record is an install cut short before its end.
      if (ExtensionKey.safeParse(name).success && !existsSync(join(path, RECORD))) log(`extensions: removing ${name}, an install cut short`);
      else continue;
    }
    await rm(path, { recursive: true, force: true });
  }
}
