import { statSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { BerthError } from '../api/errors';
import type { Settings } from './schema';

/** The host folders the VM sees at the same path, and where that list came from (for messages). */
export interface SharedFolders {
  paths: string[];
  /** `setting`: the "shares" setting; `env`: BERTH_SHARES, which overrides it. */
  origin: 'setting' | 'env';
}

/** Whether `path` is `folder` or lies inside it (both normalised, absolute). */
export function isWithin(path: string, folder: string): boolean {
  return folder === '/' || path === folder || path.startsWith(`${folder}/`);
}

/** The guest mounts each share at the same path: these are its own and must stay visible. */
const GUEST_SYSTEM = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker', '/var/lib/containerd', '/var/run', '/mnt/data'];

function origin(env: NodeJS.ProcessEnv): SharedFolders['origin'] {
  return env.BERTH_SHARES !== undefined && env.BERTH_SHARES !== '' ? 'env' : 'setting';
}

const named = (from: SharedFolders['origin']): string => (from === 'env' ? 'BERTH_SHARES' : 'The "shares" setting');

function shareError(from: SharedFolders['origin'], settingsPath: string, problem: string, fix: string): BerthError {
  const where = from === 'env' ? 'BERTH_SHARES (colon-separated absolute paths)' : `"shares" in ${settingsPath}`;
  return new BerthError('ShareInvalid', `${named(from)} ${problem}`, `${fix} Change ${where}, then start Berth again.`);
}

/** Why the VM cannot show `path` at the same place, or null when it can. */
export function unusable(path: string): string | null {
  if (!isAbsolute(path)) return 'is not an absolute path';
  if (/[\n\r\0]/.test(path)) return 'holds a line break';
  const clean = normalize(path);
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

/**
 * The host folders shared with the VM: BERTH_SHARES (colon-separated) when set, else the setting.
 * Each must be an existing folder; one inside another is already shared by it and is dropped.
 */
export function effectiveShares(settings: Settings, env: NodeJS.ProcessEnv, settingsPath: string): SharedFolders {
  const from = origin(env);
  const listed = from === 'env' ? env.BERTH_SHARES!.split(':').filter(Boolean) : settings.shares;
  const folders: string[] = [];
  for (const entry of listed) {
    const problem = unusable(entry);
    if (problem) {
      throw shareError(from, settingsPath, `lists ${entry}, which ${problem}.`, 'List existing folders of this machine, such as your home folder.');
    }
    const path = normalize(entry).replace(/(.)\/+$/, '$1');
    if (!folders.includes(path)) folders.push(path);
  }
  const outermost = folders.filter((path) => !folders.some((other) => other !== path && isWithin(path, other)));
  return { paths: outermost, origin: from };
}
