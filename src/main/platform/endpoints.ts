import { createHash } from 'node:crypto';
import { posix, win32 } from 'node:path';

/**
 * Where Berth's sockets are, per platform. On Linux and macOS they are Unix sockets in the home's run/
 * folder: files that Berth makes and removes, and whose mode keeps them the user's. On Windows they are
 * named pipes: not files (nothing to remove, no mode), in one namespace for the whole machine. Everything
 * else tells the two apart by the address itself (isPipe), so only this module and home.ts decide by platform.
 */
export interface Endpoints {
  /** The Docker socket: what DOCKER_HOST and the `berth` docker context name. */
  dockerSocket: string;
  /** Berth's own control channel, where the CLI and the windows reach the daemon. */
  controlSocket: string;
  /** QEMU's monitor (QMP). */
  qmpSocket: string;
  /** QEMU's end of the guest's serial SSH port. */
  sshSocket: string;
}

const PIPE_ROOT = '\\\\.\\pipe\\';

/** Whether `address` is a Windows named pipe: `\\.\pipe\NAME`, or `//./pipe/NAME` as the docker CLI writes it. */
export const isPipe = (address: string): boolean => /^[\\/]{2}[.?][\\/]pipe[\\/][^\\/]/i.test(address);

/**
 * What a home adds to its pipes' names: nothing for the default home (so its Docker pipe is
 * `\\.\pipe\berth_docker`), else `_` and 12 hex digits of the home's path, so that instances with their own
 * BERTH_HOME run side by side. Windows paths compare without case, and so does the hash.
 */
export function pipeSuffix(home: string, defaultHome: string): string {
  const key = (path: string): string => win32.resolve(path).toLowerCase();
  if (key(home) === key(defaultHome)) return '';
  return `_${createHash('sha256').update(key(home)).digest('hex').slice(0, 12)}`;
}

export interface EndpointPlace {
  home: string;
  runDir: string;
  /** The home Berth uses when BERTH_HOME is not set. */
  defaultHome: string;
}

export function endpoints({ home, runDir, defaultHome }: EndpointPlace, platform: NodeJS.Platform = process.platform): Endpoints {
  if (platform === 'win32') {
    const pipe = (name: string): string => `${PIPE_ROOT}berth_${name}${pipeSuffix(home, defaultHome)}`;
    return { dockerSocket: pipe('docker'), controlSocket: pipe('control'), qmpSocket: pipe('qmp'), sshSocket: pipe('ssh') };
  }
  return {
    dockerSocket: posix.join(runDir, 'docker.sock'),
    controlSocket: posix.join(runDir, 'berth.sock'),
    qmpSocket: posix.join(runDir, 'qmp.sock'),
    sshSocket: posix.join(runDir, 'ssh.sock'),
  };
}

/** The DOCKER_HOST (and docker context endpoint) of the socket at `address`: `npipe:////./pipe/NAME` for a pipe. */
export const dockerHost = (address: string): string => (isPipe(address) ? `npipe://${address.replaceAll('\\', '/')}` : `unix://${address}`);

/**
 * The name QEMU on Windows takes for a pipe it serves (`-chardev pipe,path=NAME`, `-qmp pipe:NAME`): QEMU
 * itself puts `\\.\pipe\` before it. A Unix socket's path is returned as it is.
 */
export const qemuPipeName = (address: string): string => (isPipe(address) ? address.slice(PIPE_ROOT.length) : address);

/**
 * The daemon lock's address. On Linux an abstract socket and on Windows a named pipe: both are names, not
 * files, which their process's end frees however it ends, and a second listener on them is refused. The
 * name carries the home's random key (kept in run/, the user's alone), so another user cannot take it
 * first. On macOS a socket file in run/ (`file`: made, guarded and removed as the other sockets are).
 */
export function lockAddress(runDir: string, key: () => string, platform: NodeJS.Platform = process.platform): { address: string; file: boolean } {
  if (platform === 'linux') return { address: `\0berth-daemon-${key()}`, file: false };
  if (platform === 'win32') return { address: `${PIPE_ROOT}berth_lock_${key()}`, file: false };
  return { address: posix.join(runDir, 'daemon.lock'), file: true };
}
