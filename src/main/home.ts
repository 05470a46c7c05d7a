import { mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { endpoints, type Endpoints } from './platform/endpoints';
import { pathsOf } from './platform/hostPaths';

/**
 * Where one Berth installation keeps its state, by the platform's custom. BERTH_HOME lets instances run
 * side by side.
 */
export function berthHome(env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.BERTH_HOME) return env.BERTH_HOME;
  const { join } = pathsOf(platform);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Berth');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'Berth');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'berth');
}

/** Saved booted guests (one per machine shape), beside the image cache: a start restores them instead of booting. */
export function snapshotsDir(env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const { dirname, join } = pathsOf(platform);
  return join(dirname(imageCacheDir(env, platform, home)), 'snapshots');
}

/**
 * Built guest images are shared by every installation of the same user. Windows has no caches folder of its
 * own: theirs is in the default home's Cache folder, which no setting or reset of a home touches.
 */
export function imageCacheDir(env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.BERTH_IMAGE_CACHE) return env.BERTH_IMAGE_CACHE;
  const { join } = pathsOf(platform);
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'Berth', 'images');
  if (platform === 'win32') return join(berthHome({ ...env, BERTH_HOME: undefined }, platform, home), 'Cache', 'images');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'berth', 'images');
}

export interface HomePaths extends Endpoints {
  home: string;
  settings: string;
  runDir: string;
  daemonPid: string;
  qemuPid: string;
  /** The running VM's shape, for a later daemon to take it over (vm/leftover.ts). */
  machineRecord: string;
  sshDir: string;
  privateKey: string;
  publicKey: string;
  knownHost: string;
  dataDisk: string;
  logsDir: string;
  daemonLog: string;
  consoleLog: string;
  imageBuildLog: string;
  /** One folder per installed extension, named by its key. */
  extensionsDir: string;
  /** The docker CLI plugins Berth brings (compose, buildx), named in config.json's cliPluginsExtraDirs. */
  cliPluginsDir: string;
  /** The desktop window's last size and place, for the next start. */
  windowState: string;
}

/** The home's files and folders, and its sockets (named pipes on Windows, see platform/endpoints). */
export function homePaths(home = berthHome(), platform: NodeJS.Platform = process.platform, env = process.env): HomePaths {
  const runDir = join(home, 'run');
  const sshDir = join(home, 'ssh');
  const logsDir = join(home, 'logs');
  return {
    home,
    settings: join(home, 'settings.json'),
    runDir,
    ...endpoints({ home, runDir, defaultHome: berthHome({ ...env, BERTH_HOME: undefined }, platform) }, platform),
    daemonPid: join(runDir, 'daemon.pid'),
    qemuPid: join(runDir, 'qemu.pid'),
    machineRecord: join(runDir, 'machine.json'),
    sshDir,
    privateKey: join(sshDir, 'id_ed25519'),
    publicKey: join(sshDir, 'id_ed25519.pub'),
    knownHost: join(sshDir, 'known_host'),
    dataDisk: join(home, 'data.img'),
    logsDir,
    daemonLog: join(logsDir, 'daemon.log'),
    consoleLog: join(logsDir, 'console.log'),
    imageBuildLog: join(logsDir, 'image-build.log'),
    extensionsDir: join(home, 'extensions'),
    cliPluginsDir: join(home, 'cli-plugins'),
    windowState: join(home, 'window.json'),
  };
}

/** Creates the home's folders; run/ and ssh/ hold secrets and sockets, so only the user may enter them. */
export function ensureHome(paths: HomePaths): void {
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logsDir, { recursive: true, mode: 0o700 });
  for (const dir of [paths.runDir, paths.sshDir]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}
