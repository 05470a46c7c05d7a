import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { BerthError } from '../api/errors';
import { copyFileDurably, writeFileDurably } from '../durableFile';
import { updateDockerConfig, type DockerConfig } from '../registry/dockerConfig';
import { bundledCliPlugins, PLUGIN_LIST_FILE, thisHost, type Host } from '../resources';
import type { LocatedImage } from '../vm/image';

/** One plugin as the image's manifest lists it: its Debian package and the file's digest and size. */
const PluginEntry = z.object({
  package: z.string(),
  version: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
// A plugin's file name is docker-NAME (docker-NAME.exe on Windows); nothing that could leave the folder.
const PluginName = z.string().regex(/^docker-[a-z0-9][a-z0-9-]*(\.exe)?$/);
export const PluginList = z.record(PluginName, PluginEntry);
export type PluginList = z.infer<typeof PluginList>;

/** Where a set of plugin binaries comes from: a folder, the list of it, and what mends a damaged one. */
export interface PluginSource {
  dir: string;
  plugins: PluginList;
  repair: string;
}

/**
 * The docker CLI plugins an image carries (`cli-plugins/` beside it, built from the guest's Debian packages),
 * when they run on this host: they are Linux binaries of the guest's architecture. Otherwise why there are
 * none; other systems' binaries come with the packaged app.
 */
export function imagePlugins(image: LocatedImage, platform = process.platform, arch = process.arch): PluginSource | string {
  const theirs = image.arch === 'arm64' ? 'arm64' : 'x64';
  if (platform !== 'linux' || arch !== theirs) return `the image's plugins are for Linux on ${theirs}, not ${platform} on ${arch}`;
  const listed = PluginList.safeParse(image.manifest.cliPlugins);
  if (!listed.success) return 'the image lists no CLI plugins (built by an older recipe)';
  return { dir: join(image.dir, 'cli-plugins'), plugins: listed.data, repair: 'Rebuild the image (remove its folder, then `berth image build`).' };
}

/** The plugins an installed Berth carries for its host, as its plugins.json lists them. */
export function carriedPlugins(dir: string): PluginSource | string {
  const file = join(dir, PLUGIN_LIST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return `${file} does not read as JSON (${(error as Error).message}): install Berth again`;
  }
  const listed = PluginList.safeParse(parsed);
  if (!listed.success) return `${file} is not a list of plugins: install Berth again`;
  return { dir, plugins: listed.data, repair: 'Install Berth again.' };
}

/** The installed app's own plugins for this host where it carries them, else the guest image's. */
export function pluginSource(image: LocatedImage, host: Host = thisHost()): PluginSource | string {
  const carried = bundledCliPlugins(host);
  return carried ? carriedPlugins(carried) : imagePlugins(image, host.platform, host.arch);
}

const STAMP = '.berth-plugins.json';

/** The digest of each plugin Berth last put in `dir`, by name. */
function readStamp(dir: string): Record<string, string> {
  try {
    const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(readFileSync(join(dir, STAMP), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * Puts the source's plugins into `dir` (Berth's own folder, nobody else's), each copied beside its place
 * and renamed over it, executable, and only when it changed: a start with the same image copies nothing.
 * A plugin Berth put there earlier that the source no longer has is removed.
 */
export function installPlugins(source: PluginSource, dir: string): { copied: string[]; kept: string[] } {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stamp = readStamp(dir);
  const copied: string[] = [];
  const kept: string[] = [];
  for (const [name, entry] of Object.entries(source.plugins)) {
    const target = join(dir, name);
    const present = existsSync(target) ? statSync(target) : null;
    if (stamp[name] === entry.sha256 && present?.size === entry.size && (present.mode & 0o111) !== 0) {
      kept.push(name);
      continue;
    }
    const from = join(source.dir, name);
    if (!existsSync(from) || statSync(from).size !== entry.size) {
      throw new BerthError(
        'CliPluginMissing',
        `${from} is missing or not the file its list names (${entry.size} bytes).`,
        source.repair,
      );
    }
    copyFileDurably(from, target, 0o755);
    copied.push(name);
  }
  for (const name of Object.keys(stamp)) {
    if (!(name in source.plugins) && PluginName.safeParse(name).success) rmSync(join(dir, name), { force: true });
  }
  const next = Object.fromEntries(Object.entries(source.plugins).map(([name, entry]) => [name, entry.sha256]));
  if (JSON.stringify(next) !== JSON.stringify(stamp)) writeFileDurably(join(dir, STAMP), `${JSON.stringify(next)}\n`, 0o644);
  return { copied, kept };
}

/** What adding a folder to config.json's `cliPluginsExtraDirs` found: added, already there, or a value that is not a list. */
export type ExtraDirChange = 'added' | 'present' | 'not-a-list';

/**
 * Adds `dir` to `cliPluginsExtraDirs`, after the folders already there, in place. A value that is not a list
 * of strings is the user's to fix: it is left exactly as it is.
 */
export function addExtraDir(config: DockerConfig, dir: string): ExtraDirChange {
  const current = config.cliPluginsExtraDirs;
  if (current === undefined) {
    config.cliPluginsExtraDirs = [dir];
    return 'added';
  }
  if (!Array.isArray(current) || !current.every((each) => typeof each === 'string')) return 'not-a-list';
  if (current.some((each) => resolve(each) === resolve(dir))) return 'present';
  config.cliPluginsExtraDirs = [...current, dir];
  return 'added';
}

/** Makes the docker CLI look for plugins in `dir` too; config.json is written (atomically) only when it changes. */
export function usePluginDir(env: NodeJS.ProcessEnv, dir: string): ExtraDirChange {
  let change: ExtraDirChange = 'present';
  updateDockerConfig(env, (config) => {
    change = addExtraDir(config, dir);
    return change === 'added';
  });
  return change;
}

/**
 * Gives the host's docker CLI the plugins the image carries, in `dir`, and names `dir` in config.json. Returns
 * what the start step shows. The engine already runs when this is called, so a problem here does not fail
 * the start: the text says what is wrong and what to do, and the log keeps it.
 */
export function provideCliPlugins(image: LocatedImage, dir: string, env: NodeJS.ProcessEnv, log: (line: string) => void): string {
  const source = pluginSource(image);
  if (typeof source === 'string') return `none installed: ${source}`;
  const names = Object.entries(source.plugins).map(([name, entry]) => `${name} ${entry.version}`).join(', ');
  let text: string;
  try {
    const { copied } = installPlugins(source, dir);
    text =
      usePluginDir(env, dir) === 'not-a-list'
        ? `${names} in ${dir}, but config.json's "cliPluginsExtraDirs" is not a list of folders: make it a list that holds ${dir}`
        : `${names}${copied.length ? ` (copied ${copied.join(', ')})` : ''}`;
  } catch (error) {
    text = `not installed: ${(error as Error).message}${error instanceof BerthError ? ` ${error.hint}` : ''}`;
  }
  log(`CLI plugins: ${text}`);
  return text;
}
