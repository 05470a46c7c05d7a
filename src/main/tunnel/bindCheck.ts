import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { isWithin, type SharedFolders } from '../settings/shares';
import type { CreateVerdict } from './requestFramer';

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

/** The engine's socket in the guest: what a container that binds Berth's host socket gets instead. */
export const GUEST_ENGINE_SOCKET = '/var/run/docker.sock';

/** The names a host socket path goes by: as written and, when the folder is reached through a link, its real path. */
export function socketAliases(path: string): string[] {
  const aliases = new Set([normalised(path)]);
  try {
    aliases.add(normalised(realpathSync(path)));
  } catch {
    // Not listening yet: its folder's real path names it just as well.
    try {
      aliases.add(normalised(posix.join(realpathSync(posix.dirname(path)), posix.basename(path))));
    } catch {
      // No folder either: the path as written is all there is.
    }
  }
  return [...aliases];
}

type HostConfig = { Binds?: unknown; Mounts?: unknown };

/**
 * Points binds of Berth's own host socket at the engine's socket in the guest, as Docker Desktop does
 * for /var/run/docker.sock: Testcontainers' Ryuk, docker-outside-of-docker dev containers, Portainer
 * and Traefik bind the DOCKER_HOST path they were given. Through a share that path would be a socket
 * file of the host, which nothing in the guest can connect to. Returns whether anything changed.
 */
export function mapEngineSocket(create: unknown, aliases: readonly string[]): boolean {
  const hostConfig = (create as { HostConfig?: HostConfig } | null)?.HostConfig;
  const isSocket = (source: unknown): boolean => typeof source === 'string' && source.startsWith('/') && aliases.includes(normalised(source));
  let changed = false;
  if (Array.isArray(hostConfig?.Binds)) {
    hostConfig.Binds = hostConfig.Binds.map((bind: unknown) => {
      if (typeof bind !== 'string') return bind;
      const [source, ...rest] = bind.split(':');
      if (!isSocket(source)) return bind;
      changed = true;
      return [GUEST_ENGINE_SOCKET, ...rest].join(':');
    });
  }
  if (Array.isArray(hostConfig?.Mounts)) {
    for (const mount of hostConfig.Mounts as Array<{ Type?: unknown; Source?: unknown }>) {
      const isBind = typeof mount?.Type === 'string' && mount.Type.toLowerCase() === 'bind';
      if (isBind && isSocket(mount.Source)) {
        mount.Source = GUEST_ENGINE_SOCKET;
        changed = true;
      }
    }
  }
  return changed;
}

/**
 * The container-create check the host socket applies: binds of `hostSocket` go to the engine's own
 * socket, and a bind no shared folder holds is refused with a message that says how to share it.
 */
export function createInspector(shares: SharedFolders, hostSocket: string): (body: Buffer) => CreateVerdict {
  const aliases = socketAliases(hostSocket);
  return (body) => {
    let create: unknown;
    try {
      create = JSON.parse(body.toString('utf8'));
    } catch {
      // Not ours to judge: the engine answers a malformed body itself.
      return { kind: 'pass' };
    }
    const mapped = mapEngineSocket(create, aliases);
    const source = unsharedSource(create, shares);
    if (source !== null) return { kind: 'refuse', message: unsharedMessage(source, shares) };
    return mapped ? { kind: 'rewrite', body: Buffer.from(JSON.stringify(create), 'utf8') } : { kind: 'pass' };
  };
}
