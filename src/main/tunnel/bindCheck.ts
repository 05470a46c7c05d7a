import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { isPipe } from '../platform/endpoints';
import { comparable, guestPath, isPathSource, spelledAs, splitBind, unreachableSource, UNREACHABLE_HINT } from '../platform/hostPaths';
import { isWithin, type SharedFolders } from '../settings/shares';
import type { CreateVerdict } from './requestFramer';

/** The guest's own folders: a bind of these never meant a host folder. */
const GUEST_OWN = ['/var/run', '/run', '/var/lib/docker', '/proc', '/sys', '/dev'];

function normalised(path: string): string {
  const clean = posix.normalize(path);
  return clean.length > 1 ? clean.replace(/\/+$/, '') : clean;
}

/** One bind mount of a container create: its source as the client sent it (a host or guest path), and how to point it elsewhere. */
interface BindMount {
  source: string;
  moveTo(source: string): void;
}

/**
 * A container create's bind mounts with path sources, from Binds and Mounts (named volumes are not paths).
 * On Windows a source may also be a drive path (C:\src), a UNC path or a pipe.
 */
function bindMounts(create: unknown, platform: NodeJS.Platform): BindMount[] {
  const hostConfig = (create as { HostConfig?: { Binds?: unknown; Mounts?: unknown } } | null)?.HostConfig;
  const found: BindMount[] = [];
  const binds = hostConfig?.Binds;
  if (Array.isArray(binds)) {
    binds.forEach((bind: unknown, at) => {
      const split = typeof bind === 'string' ? splitBind(bind, platform) : null;
      if (split) found.push({ source: split.source, moveTo: (next) => (binds[at] = next + split.rest) });
    });
  }
  if (Array.isArray(hostConfig?.Mounts)) {
    for (const mount of hostConfig.Mounts as Array<{ Type?: unknown; Source?: unknown }>) {
      const isBind = typeof mount?.Type === 'string' && mount.Type.toLowerCase() === 'bind';
      if (isBind && typeof mount.Source === 'string' && isPathSource(mount.Source, platform)) {
        found.push({ source: mount.Source, moveTo: (next) => (mount.Source = next) });
      }
    }
  }
  return found;
}

/** The path sources of a container create's bind mounts, as the client sent them. */
export function bindSources(create: unknown, platform: NodeJS.Platform = process.platform): string[] {
  return bindMounts(create, platform).map((mount) => mount.source);
}

/** Where a bind's source is in the guest: a guest folder of its own, in a shared folder, or nowhere (and why). */
type Placed = { kind: 'guest' | 'shared'; path: string } | { kind: 'unshared' } | { kind: 'unreachable'; problem: string };

function place(source: string, folders: string[], platform: NodeJS.Platform): Placed {
  const problem = unreachableSource(source, platform);
  if (problem) return { kind: 'unreachable', problem };
  const inGuest = normalised(guestPath(source, platform));
  if (GUEST_OWN.some((own) => isWithin(inGuest, own))) return { kind: 'guest', path: inGuest };
  const folder = folders.find((shared) => isWithin(comparable(inGuest, platform), comparable(shared, platform)));
  return folder === undefined ? { kind: 'unshared' } : { kind: 'shared', path: spelledAs(inGuest, folder, platform) };
}

/**
 * What the check makes of a create's binds: the first one it refuses, and why; else whether it moved any
 * to its path in the guest. Only a source whose guest path is not itself moves (C:\src is /mnt/c/src in
 * the guest, see platform/hostPaths): on Linux and macOS every source is left as the client sent it.
 */
export function placeBinds(create: unknown, shares: SharedFolders, platform: NodeJS.Platform = process.platform): { refused: string } | { moved: boolean } {
  const folders = shares.paths.map((path) => normalised(guestPath(path, platform)));
  let moved = false;
  for (const mount of bindMounts(create, platform)) {
    const placed = place(mount.source, folders, platform);
    if (placed.kind === 'unreachable') return { refused: `Berth cannot mount ${mount.source}: it ${placed.problem}. ${UNREACHABLE_HINT}` };
    if (placed.kind === 'unshared') return { refused: unsharedMessage(mount.source, shares) };
    if (placed.path !== normalised(mount.source)) {
      mount.moveTo(placed.path);
      moved = true;
    }
  }
  return { moved };
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

/** How a bind's source is compared with the socket's aliases: a pipe in either slash form and any case, a path normalised. */
const aliasKey = (source: string): string => (isPipe(source) ? source.replaceAll('\\', '/').toLowerCase() : normalised(source));

/**
 * The names a host socket path goes by: as written and, when the folder is reached through a link, its
 * real path. A named pipe is no file and has no other name.
 */
export function socketAliases(path: string): string[] {
  if (isPipe(path)) return [aliasKey(path)];
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
export function mapEngineSocket(create: unknown, aliases: readonly string[], platform: NodeJS.Platform = process.platform): boolean {
  const socketBinds = bindMounts(create, platform).filter((mount) => aliases.includes(aliasKey(mount.source)));
  for (const mount of socketBinds) mount.moveTo(GUEST_ENGINE_SOCKET);
  return socketBinds.length > 0;
}

/**
 * The container-create check the host socket applies: binds of `hostSocket` go to the engine's own
 * socket, a host path goes to its path in the guest, and a bind no shared folder holds is refused with a
 * message that says how to share it.
 */
export function createInspector(shares: SharedFolders, hostSocket: string, platform: NodeJS.Platform = process.platform): (body: Buffer) => CreateVerdict {
  const aliases = socketAliases(hostSocket);
  return (body) => {
    let create: unknown;
    try {
      create = JSON.parse(body.toString('utf8'));
    } catch {
      // Not ours to judge: the engine answers a malformed body itself.
      return { kind: 'pass' };
    }
    const mapped = mapEngineSocket(create, aliases, platform);
    const placed = placeBinds(create, shares, platform);
    if ('refused' in placed) return { kind: 'refuse', message: placed.refused };
    return mapped || placed.moved ? { kind: 'rewrite', body: Buffer.from(JSON.stringify(create), 'utf8') } : { kind: 'pass' };
  };
}
