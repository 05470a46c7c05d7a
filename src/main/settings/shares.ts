import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { BerthError } from '../api/errors';
import { comparable, guestPath, listSeparator, pathsOf, unreachable } from '../platform/hostPaths';
import type { Settings } from './schema';

/** The host folders the VM sees (at the same path, or on Windows at their guest path), and where that list came from (for messages). */
export interface SharedFolders {
  paths: string[];
  /** `setting`: the "shares" setting; `env`: BERTH_SHARES, which overrides it. */
  origin: 'setting' | 'env';
}

/** Whether `path` is `folder` or lies inside it (both normalised, absolute). */
export function isWithin(path: string, folder: string): boolean {
  return folder === '/' || path === folder || path.startsWith(`${folder}/`);
}

/**
 * Whether the host folder `folder` holds the host path `path`, compared as the guest sees them: on Windows
 * C:\Users\Ana holds c:\users\ana\src. A path the guest cannot reach is compared as it is.
 */
export function hostWithin(path: string, folder: string, platform: NodeJS.Platform = process.platform): boolean {
  const inGuest = (host: string): string => (unreachable(host, platform) ? host : comparable(posix.normalize(guestPath(host, platform)), platform));
  return isWithin(inGuest(path), inGuest(folder));
}

/** The guest mounts each share at its guest path: these are its own and must stay visible. */
const GUEST_SYSTEM = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker', '/var/lib/containerd', '/var/run', '/mnt/data'];

function origin(env: NodeJS.ProcessEnv): SharedFolders['origin'] {
  return env.BERTH_SHARES !== undefined && env.BERTH_SHARES !== '' ? 'env' : 'setting';
}

const named = (from: SharedFolders['origin']): string => (from === 'env' ? 'BERTH_SHARES' : 'The "shares" setting');

function shareError(from: SharedFolders['origin'], settingsPath: string, problem: string, platform: NodeJS.Platform): BerthError {
  const fix = 'List existing folders of this machine, such as your home folder.';
  const where = from === 'env' ? `BERTH_SHARES (absolute paths separated by ${listSeparator(platform)})` : `"shares" in ${settingsPath}`;
  return new BerthError('ShareInvalid', `${named(from)} ${problem}`, `${fix} Change ${where}, then start Berth again.`);
}

/** Why the VM cannot show the host folder `path`, or null when it can. */
export function unusable(path: string, platform: NodeJS.Platform = process.platform): string | null {
  if (!pathsOf(platform).isAbsolute(path)) return 'is not an absolute path';
  const unreached = unreachable(path, platform);
  if (unreached) return unreached;
  if (/[\n\r\0]/.test(path)) return 'holds a line break';
  const clean = posix.normalize(guestPath(path, platform));
  const hidden = GUEST_SYSTEM.find((system) => isWithin(system, clean) || isWithin(clean, system));
  if (hidden) return `would hide the VM's own ${hidden}`;
  let kind: 'folder' | 'other' | 'missing' = 'missing';
  try {
    kind = statSync(path).isDirectory() ? 'folder' : 'other';
  } catch {
    // missing or unreadable: both mean QEMU cannot export it
  }
  if (kind === 'missing') return 'does not exist';
  if (kind === 'other') return 'is not a folder';
  return null;
}

/** `path` normalised, without a separator at its end unless it is a root (/, C:\). */
function withoutTrailingSeparator(path: string, platform: NodeJS.Platform): string {
  const { normalize, parse, sep } = pathsOf(platform);
  const clean = normalize(path);
  return parse(clean).root === clean ? clean : clean.replace(new RegExp(`\\${sep}+$`), '');
}

/**
 * The host folders shared with the VM: BERTH_SHARES (separated as PATH is: `:`, on Windows `;`) when set, else the setting.
 * Each must be an existing folder; one inside another is already shared by it and is dropped.
 */
export function effectiveShares(settings: Settings, env: NodeJS.ProcessEnv, settingsPath: string, platform: NodeJS.Platform = process.platform): SharedFolders {
  const from = origin(env);
  const listed = from === 'env' ? env.BERTH_SHARES!.split(listSeparator(platform)).filter(Boolean) : settings.shares;
  const folders: string[] = [];
  for (const entry of listed) {
    const problem = unusable(entry, platform);
    if (problem) {
      throw shareError(from, settingsPath, `lists ${entry}, which ${problem}.`, platform);
    }
    const path = withoutTrailingSeparator(entry, platform);
    if (!folders.includes(path)) folders.push(path);
  }
  const outermost = folders.filter((path) => !folders.some((other) => other !== path && hostWithin(path, other, platform)));
  return { paths: outermost, origin: from };
}
