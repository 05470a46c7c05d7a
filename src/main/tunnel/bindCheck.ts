import { posix } from 'node:path';
import { isWithin, type SharedFolders } from '../settings/shares';

/** The guest's own folders: a bind of these never meant a host folder. */
const GUEST_OWN = ['/var/run', '/run', '/var/lib/docker', '/proc', '/sys', '/dev'];

function normalised(path: string): string {
  const clean = posix.normalize(path);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

/** The absolute host-side sources of a container create's bind mounts (named volumes are not paths). */
export function bindSources(create: unknown): string[] {
  const hostConfig = (create as { HostConfig?: { Binds?: unknown; Mounts?: unknown } } | null)?.HostConfig;
  const sources: string[] = [];
  if (Array.isArray(hostConfig?.Binds)) {
    for (const bind of hostConfig.Binds) {
      // SOURCE:TARGET[:OPTIONS]; a path with a colon cannot be written in this form at all.
      if (typeof bind === 'string' && bind.startsWith('/')) sources.push(bind.split(':')[0]);
    }
  }
  if (Array.isArray(hostConfig?.Mounts)) {
    for (const mount of hostConfig.Mounts as Array<{ Type?: unknown; Source?: unknown }>) {
      const isBind = typeof mount?.Type === 'string' && mount.Type.toLowerCase() === 'bind';
      if (isBind && typeof mount.Source === 'string' && mount.Source.startsWith('/')) sources.push(mount.Source);
    }
  }
  return sources;
}

/** The first bind source that no shared folder holds, or null when every one is reachable in the VM. */
export function unsharedSource(create: unknown, shares: SharedFolders): string | null {
  const folders = shares.paths.map(normalised);
  for (const source of bindSources(create)) {
    const path = normalised(source);
    if (GUEST_OWN.some((own) => isWithin(path, own))) continue;
    if (!folders.some((folder) => isWithin(path, folder))) return source;
  }
  return null;
}

export function unsharedMessage(source: string, shares: SharedFolders): string {
  const list = shares.paths.length ? shares.paths.join(', ') : 'none';
  const where =
    shares.origin === 'env'
      ? `BERTH_SHARES, which overrides the setting "shares": ${list}`
      : `setting "shares": ${list}`;
  return (
    `Berth cannot mount ${source}: it is outside the folders shared with the VM (${where}). ` +
    'Add it to the shares setting, or set BERTH_SHARES, then restart Berth.'
  );
}

/** The container-create check the host socket applies: a message refuses the create. */
export function createInspector(shares: SharedFolders): (body: Buffer) => string | null {
  return (body) => {
    let create: unknown;
    try {
      create = JSON.parse(body.toString('utf8'));
    } catch {
      // Not ours to judge: the engine answers a malformed body itself.
      return null;
    }
    const source = unsharedSource(create, shares);
    return source === null ? null : unsharedMessage(source, shares);
  };
}
