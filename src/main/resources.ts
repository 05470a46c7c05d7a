import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelMachine, type GuestArch } from './vm/arch';

/**
 * What an installed Berth carries beside its code, and where: the one place that knows the layout of the
 * packaged app's resources folder. scripts/dist/stage.ts stages the files in this layout, electron-builder.yml
 * copies them there, and the engine's lookups (guest image, QEMU, docker CLI plugins) ask here first. This
 * module imports no electron: the daemon, an Electron binary running as Node, uses it too.
 *
 *   vm/<guest arch>/              the guest image (kernel, initrd.img, base.img, manifest.json) and its id
 *   qemu/<platform>-<arch>/bin/   QEMU's system emulator (macOS and Windows; Linux uses the distribution's)
 *   qemu/<platform>-<arch>/share/qemu/   its firmware and data files
 *   cli-plugins/<platform>-<arch>/       docker-compose and docker-buildx for this host, with plugins.json
 */

/** The source tree (or packaged app) root: bundles live in out/main, as this file lies in src/main, two levels below it. */
export function appRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Where the code runs: the packaged app's resources folder (null in a source tree) and the host it runs on. */
export interface Host {
  resources: string | null;
  platform: NodeJS.Platform;
  arch: NodeJS.Architecture;
}

/**
 * The packaged app's resources folder, or null when `root` (appRoot()) is a source tree. Electron loads a packaged
 * app from `resources/app.asar` (or `resources/app`), and `process.resourcesPath` is that folder. It is read
 * off the code's own location rather than from `process.resourcesPath` or a variable the window passes on:
 * the daemon runs as Node, where Electron's process additions are not promised, and a variable would be
 * inherited by everything the app starts (a terminal, a checkout's `npm start`), pointing them at this app.
 */
export function packagedResources(root: string): string | null {
  const name = basename(root);
  if (name === 'app.asar') return dirname(root);
  return name === 'app' && /^resources$/i.test(basename(dirname(root))) ? dirname(root) : null;
}

/** The host this process runs on, and its resources folder when it runs from an installed Berth. */
export const thisHost = (root: string = appRoot()): Host => ({ resources: packagedResources(root), platform: process.platform, arch: process.arch });

/** Resource folders named per host, as `<platform>-<arch>` in Node's words: darwin-arm64, win32-x64, linux-x64. */
export const hostKey = (host: Pick<Host, 'platform' | 'arch'>): string => `${host.platform}-${host.arch}`;

/** Paths inside the resources folder, relative to it: scripts/dist/stage.ts stages into the same layout. */
export const layout = {
  image: (arch: GuestArch): string => join('vm', arch),
  qemu: (host: Pick<Host, 'platform' | 'arch'>): string => join('qemu', hostKey(host)),
  cliPlugins: (host: Pick<Host, 'platform' | 'arch'>): string => join('cli-plugins', hostKey(host)),
};

/** The file in a packaged image folder that holds the image's id (the recipe hash it was built from). */
export const IMAGE_ID_FILE = 'id';
/** The list of a packaged plugins folder: each plugin's version, digest and size, as the image manifest lists them. */
export const PLUGIN_LIST_FILE = 'plugins.json';

/** Only macOS and Windows installers carry QEMU; on Linux it comes from the distribution's packages. */
export const carriesQemu = (platform: NodeJS.Platform): boolean => platform === 'darwin' || platform === 'win32';

/** The QEMU system emulator's file name on this platform. */
export const qemuFileName = (platform: NodeJS.Platform, arch: GuestArch): string =>
  `qemu-system-${kernelMachine(arch)}${platform === 'win32' ? '.exe' : ''}`;

/** The guest image the installed app carries for `arch`, with its id; null in a source tree or when it has none. */
export function bundledImage(host: Host, arch: GuestArch): { dir: string; id: string } | null {
  if (!host.resources) return null;
  const dir = join(host.resources, layout.image(arch));
  const idFile = join(dir, IMAGE_ID_FILE);
  if (!existsSync(idFile)) return null;
  return { dir, id: readFileSync(idFile, 'utf8').trim() };
}

/** The QEMU the installed app carries for a guest of `arch` and its data folder (for `-L`); null: look on PATH. */
export function bundledQemu(host: Host, arch: GuestArch): { binary: string; dataDir: string } | null {
  if (!host.resources || !carriesQemu(host.platform)) return null;
  const dir = join(host.resources, layout.qemu(host));
  const binary = join(dir, 'bin', qemuFileName(host.platform, arch));
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return null;
  }
  return { binary, dataDir: join(dir, 'share', 'qemu') };
}

/** The docker CLI plugins folder the installed app carries for this host; null: they come from the guest image. */
export function bundledCliPlugins(host: Host): string | null {
  if (!host.resources) return null;
  const dir = join(host.resources, layout.cliPlugins(host));
  return existsSync(join(dir, PLUGIN_LIST_FILE)) ? dir : null;
}
