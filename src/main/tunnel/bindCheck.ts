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

/** One bind mount of a container create: its absolute host-side source, and how to point it elsewhere. */
interface BindMount {
  source: string;
  moveTo(source: string): void;
}

/** A container create's bind mounts with absolute sources, from Binds and Mounts (named volumes are not paths). */
function bindMounts(create: unknown): BindMount[] {
  const hostConfig = (create as { HostConfig?: { Binds?: unknown; Mounts?: unknown } } | null)?.HostConfig;
  const found: BindMount[] = [];
  const binds = hostConfig?.Binds;
  if (Array.isArray(binds)) {
    binds.forEach((bind: unknown, at) => {
      // SOURCE:TARGET[:OPTIONS]; a path with a colon cannot be written in this form at all.
      if (typeof bind !== 'string' || !bind.startsWith('/')) return;
      const [source, ...rest] = bind.split(':');
      found.push({ source, moveTo: (next) => (binds[at] = [next, ...rest].join(':')) });
    });
  }
  if (Array.isArray(hostConfig?.Mounts)) {
    for (const mount of hostConfig.Mounts as Array<{ Type?: unknown; Source?: unknown }>) {
      const isBind = typeof mount?.Type === 'string' && mount.Type.toLowerCase() === 'bind';
      if (isBind && typeof mount.Source === 'string' && mount.Source.startsWith('/')) {
        found.push({ source: mount.Source, moveTo: (next) => (mount.Source = next) });
      }
    }
  }
  return found;
}

/** The absolute host-side sources of a container create's bind mounts. */
export function bindSources(create: unknown): string[] {
  return bindMounts(create).map((mount) => mount.source);
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

/**
 * Points binds of Berth's own host socket at the engine's socket in the guest, as Docker Desktop does
 * for /var/run/docker.sock: Testcontainers' Ryuk, docker-outside-of-docker dev containers, Portainer
 * and Traefik bind the DOCKER_HOST path they were given. Through a share that path would be a socket
 * file of the host, which nothing in the guest can connect to. Returns whether anything changed.
 */
export function mapEngineSocket(create: unknown, aliases: readonly string[]): boolean {
  const socketBinds = bindMounts(create).filter((mount) => aliases.includes(normalised(mount.source)));
  for (const mount of socketBinds) mount.moveTo(GUEST_ENGINE_SOCKET);
  return socketBinds.length > 0;
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
