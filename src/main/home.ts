import { mkdirSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where one Berth installation keeps its state. BERTH_HOME lets instances run side by side. */
export function berthHome(env = process.env): string {
  if (env.BERTH_HOME) return env.BERTH_HOME;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Berth');
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Berth');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'berth');
}

/** Saved booted guests (one per machine shape), beside the image cache: a start restores them instead of booting. */
export const snapshotsDir = (env = process.env): string => join(dirname(imageCacheDir(env)), 'snapshots');

/** Built guest images are shared by every installation of the same user. */
export function imageCacheDir(env = process.env): string {
  if (env.BERTH_IMAGE_CACHE) return env.BERTH_IMAGE_CACHE;
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Berth', 'images');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'berth', 'images');
}

export interface HomePaths {
  home: string;
  settings: string;
  runDir: string;
  dockerSocket: string;
  controlSocket: string;
  qmpSocket: string;
  /** QEMU's end of the guest's serial SSH port. */
  sshSocket: string;
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

export function homePaths(home = berthHome()): HomePaths {
  const runDir = join(home, 'run');
  const sshDir = join(home, 'ssh');
  const logsDir = join(home, 'logs');
  return {
    home,
    settings: join(home, 'settings.json'),
    runDir,
    dockerSocket: join(runDir, 'docker.sock'),
    controlSocket: join(runDir, 'berth.sock'),
    qmpSocket: join(runDir, 'qmp.sock'),
    sshSocket: join(runDir, 'ssh.sock'),
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
