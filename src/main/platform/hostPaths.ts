import { posix, win32 } from 'node:path';
import { BerthError } from '../api/errors';

/**
 * Where a folder of the host is inside the Linux guest. On Linux and macOS the guest mounts a shared
 * folder at its own path. A Windows path cannot be a Linux path, so there each drive has a folder under
 * /mnt, as WSL mounts them: C:\Users\ana is /mnt/c/Users/ana in the guest (and in a WSL 2 distribution,
 * where WSL itself mounts the drives there).
 */
export const DRIVES_ROOT = '/mnt';

/** The path functions of the platform's own kind (Windows' backslashes and drive letters, or POSIX). */
export const pathsOf = (platform: NodeJS.Platform): typeof posix => (platform === 'win32' ? win32 : posix);

/** The separator of a list of paths in one variable (BERTH_SHARES), as PATH uses it: `;` on Windows, `:` elsewhere. */
export const listSeparator = (platform: NodeJS.Platform = process.platform): string => pathsOf(platform).delimiter;

const DRIVE_PATH = /^([A-Za-z]):[\\/]/;
const EXTENDED = /^[\\/]{2}\?[\\/](?=[A-Za-z]:[\\/])/;
const UNC = /^[\\/]{2}(?![.?][\\/])|^[\\/]{2}\?[\\/]UNC[\\/]/i;
const DEVICE = /^[\\/]{2}[.?][\\/]/;
/** A drive letter and its colon at the start, after the extended-length prefix if any. */
const DRIVE_COLON = /^(?:[\\/]{2}\?[\\/])?[A-Za-z]:(?=[\\/])/;

/** Why the guest cannot reach the Windows path `path`, in words that follow it; null when it can. */
function unreachableOnWindows(path: string): string | null {
  if (UNC.test(path)) return "is a network (UNC) path: the VM sees folders of this machine's own drives only";
  if (DEVICE.test(path) && !EXTENDED.test(path)) return 'is a Windows device or named pipe, not a folder';
  if (!DRIVE_PATH.test(path.replace(EXTENDED, ''))) return 'is not an absolute Windows path with a drive letter, such as C:\\Users\\you';
  return null;
}

/** Why the guest cannot reach the host path `path`, in words that follow it ("C:\x is ..."); null when it can. */
export function unreachable(path: string, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'win32') return posix.isAbsolute(path) ? null : 'is not an absolute path';
  return unreachableOnWindows(path);
}

/**
 * On Windows a bind's source that starts with a forward slash is the guest's already (/mnt/c/...,
 * /var/run/docker.sock, or //var/run/docker.sock, which Windows clients write so that no shell turns it
 * into a Windows path), unless it is a device path (//./pipe/NAME, //?/C:/...).
 */
const isGuestForm = (path: string, platform: NodeJS.Platform): boolean => platform === 'win32' && path.startsWith('/') && !/^\/\/[.?]\//.test(path);

/** Why the guest cannot reach what a bind names (a host path, or on Windows a guest path as well); null when it can. */
export const unreachableSource = (source: string, platform: NodeJS.Platform = process.platform): string | null =>
  isGuestForm(source, platform) ? null : unreachable(source, platform);

/** What to do about a host path the guest cannot reach. */
export const UNREACHABLE_HINT = 'Use a folder on a drive of this machine, inside a shared folder (Settings, File sharing), then try again.';

/**
 * The guest path of a host path. On Windows: the drive letter in lower case under /mnt, the rest with
 * forward slashes, `.` and `..` resolved; a path that is already the guest's stays as it is. Elsewhere
 * the same path. A path the guest cannot reach is refused with what to do instead.
 */
export function guestPath(hostPath: string, platform: NodeJS.Platform = process.platform): string {
  const problem = unreachableSource(hostPath, platform);
  if (problem) {
    throw new BerthError('HostPathUnreachable', `${hostPath} ${problem}.`, UNREACHABLE_HINT);
  }
  if (platform !== 'win32' || isGuestForm(hostPath, platform)) return hostPath;
  const clean = win32.normalize(hostPath.replace(EXTENDED, ''));
  const drive = clean[0].toLowerCase();
  const rest = clean.slice(2).replaceAll('\\', '/').replace(/\/+$/, '');
  return `${DRIVES_ROOT}/${drive}${rest}`;
}

/** The host path of a guest path under /mnt/<drive> on Windows (C:\ for /mnt/c); elsewhere the same path. */
export function hostPath(guest: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return guest;
  const drive = /^\/mnt\/([a-z])(\/.*)?$/i.exec(posix.normalize(guest));
  if (!drive) {
    throw new BerthError(
      'NotAHostPath',
      `${guest} is the VM's own path, not a folder of this machine: its drives are under ${DRIVES_ROOT}/<drive letter>.`,
      `Name a folder of this machine (C:\\Users\\you) or its place in the VM (${DRIVES_ROOT}/c/Users/you).`,
    );
  }
  const rest = (drive[2] ?? '').replace(/\/+$/, '');
  return `${drive[1].toUpperCase()}:\\${rest.slice(1).replaceAll('/', '\\')}`;
}

/** A guest path as compared with another: Windows folders are one whatever the case of their names. */
export const comparable = (guest: string, platform: NodeJS.Platform = process.platform): string => (platform === 'win32' ? guest.toLowerCase() : guest);

/**
 * `guest`, which lies in the shared folder `folder` (both guest paths), with the folder's part spelled as
 * the folder is: the folder is a mount point in the guest, where case matters, while on Windows a bind may
 * name it in any case. Elsewhere `guest` as it is.
 */
export const spelledAs = (guest: string, folder: string, platform: NodeJS.Platform = process.platform): string =>
  platform === 'win32' && folder !== '/' ? folder + guest.slice(folder.length) : guest;

/**
 * A bind's source as the docker CLI sends it (SOURCE:TARGET[:OPTIONS]), and the rest with its colon; null
 * for a named volume or a relative path. On Windows the colon after a drive letter belongs to the source
 * (C:\src:/src), and a source may be a UNC path or a pipe (\\.\pipe\NAME, //./pipe/NAME).
 */
export function splitBind(bind: string, platform: NodeJS.Platform = process.platform): { source: string; rest: string } | null {
  if (!isPathSource(bind, platform)) return null;
  const drive = platform === 'win32' ? (DRIVE_COLON.exec(bind)?.[0].length ?? 0) : 0;
  const colon = bind.indexOf(':', drive);
  const end = colon < 0 ? bind.length : colon;
  return { source: bind.slice(0, end), rest: bind.slice(end) };
}

/** Whether a mount's source names a path of the host or the guest (not a named volume). */
export function isPathSource(source: string, platform: NodeJS.Platform = process.platform): boolean {
  if (source.startsWith('/')) return true;
  return platform === 'win32' && (DRIVE_PATH.test(source) || source.startsWith('\\\\'));
}
