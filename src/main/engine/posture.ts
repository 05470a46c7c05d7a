import { posix } from 'node:path';
import { OLD_IMAGE_DAYS, type PostureFinding } from '../api/posture';

/**
 * The capabilities every container gets unless it drops them: moby's oci/caps/defaults.go
 * (DefaultCapabilities), without the CAP_ prefix. Only capabilities added beyond these are findings.
 */
export const DEFAULT_CAPABILITIES: ReadonlySet<string> = new Set([
  'CHOWN',
  'DAC_OVERRIDE',
  'FSETID',
  'FOWNER',
  'MKNOD',
  'NET_RAW',
  'SETGID',
  'SETUID',
  'SETFCAP',
  'SETPCAP',
  'NET_BIND_SERVICE',
  'SYS_CHROOT',
  'KILL',
  'AUDIT_WRITE',
]);

/** Where an engine's socket is found: dockerd's own, and Docker Desktop's name for the raw one. /var/run is a link to /run. */
const ENGINE_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock', '/var/run/docker.sock.raw', '/run/docker.sock.raw'];
/** Folders that hold the engine's socket: binding one binds the socket too. */
const SOCKET_FOLDERS = ['/', '/run', '/var/run'];

/** The parts of the Engine API's container inspect answer the rules read. */
export interface PostureInspect {
  Config: { User?: string | null };
  HostConfig: {
    Privileged?: boolean | null;
    CapAdd?: string[] | null;
    NetworkMode?: string | null;
    PidMode?: string | null;
    IpcMode?: string | null;
    ReadonlyRootfs?: boolean | null;
    Memory?: number | null;
    /** `-v SOURCE:TARGET[:OPTIONS]`; a SOURCE without a leading slash is a named volume. */
    Binds?: string[] | null;
    /** `--mount` specifications. */
    Mounts?: Array<{ Type?: string; Source?: string; Target?: string }> | null;
  };
  /** What the engine mounted, from either. */
  Mounts?: Array<{ Type?: string; Source?: string; Destination?: string }> | null;
}

/** Who the container runs as: Config.User is `user[:group]`, by name or number; empty means the image's default, root. */
function rootUser(user: string | null | undefined): string | null {
  const given = (user ?? '').trim();
  if (!given) return "no user set: the image's default, root";
  const name = given.split(':')[0]!;
  return name === 'root' || /^0+$/.test(name) ? `user ${given}` : null;
}

/** Capabilities added beyond the default set, as the docker CLI names them (no CAP_ prefix); ALL alone when all were. */
export function addedCapabilities(capAdd: readonly string[] | null | undefined): string[] {
  const names = (capAdd ?? []).map((cap) => cap.trim().toUpperCase().replace(/^CAP_/, '')).filter(Boolean);
  if (names.includes('ALL')) return ['ALL'];
  return [...new Set(names.filter((name) => !DEFAULT_CAPABILITIES.has(name)))];
}

/** Every bind's source and target, from -v, --mount and the engine's own account of what it mounted. */
function binds(inspect: PostureInspect): Array<{ source: string; target: string }> {
  const found = [
    ...(inspect.HostConfig.Binds ?? []).map((bind) => {
      const [source = '', target = ''] = bind.split(':');
      return { source, target };
    }),
    ...(inspect.HostConfig.Mounts ?? []).filter((mount) => mount.Type === 'bind').map((mount) => ({ source: mount.Source ?? '', target: mount.Target ?? '' })),
    ...(inspect.Mounts ?? []).filter((mount) => mount.Type === 'bind').map((mount) => ({ source: mount.Source ?? '', target: mount.Destination ?? '' })),
  ];
  return found.filter((bind) => bind.source.startsWith('/')).map((bind) => ({ source: posix.normalize(bind.source).replace(/(.)\/$/, '$1'), target: bind.target }));
}

/** The binds that put an engine's socket in the container, said as "SOURCE at TARGET", each once. */
function socketBinds(inspect: PostureInspect): string[] {
  const said = binds(inspect).flatMap(({ source, target }) => {
    if (ENGINE_SOCKETS.includes(source)) return [`${source} at ${target}`];
    if (SOCKET_FOLDERS.includes(source)) return [`${source} (holding the engine's socket) at ${target}`];
    return [];
  });
  return [...new Set(said)];
}

/** The findings its configuration gives a container: every rule but the image's age, which changes with time. */
export function configFindings(inspect: PostureInspect): PostureFinding[] {
  const { HostConfig: host } = inspect;
  const findings: PostureFinding[] = [];
  const add = (id: PostureFinding['id'], detail: string | null): void => {
    if (detail !== null) findings.push({ id, detail });
  };
  add('root', rootUser(inspect.Config.User));
  add('privileged', host.Privileged ? 'run with --privileged' : null);
  const capabilities = addedCapabilities(host.CapAdd);
  add('added-capabilities', capabilities.length ? capabilities.join(', ') : null);
  add('host-network', host.NetworkMode === 'host' ? 'network mode host' : null);
  add('host-pid', host.PidMode === 'host' ? 'PID mode host' : null);
  add('host-ipc', host.IpcMode === 'host' ? 'IPC mode host' : null);
  const sockets = socketBinds(inspect);
  add('docker-socket', sockets.length ? sockets.join('; ') : null);
  add('writable-root', host.ReadonlyRootfs ? null : 'run without --read-only');
  add('no-memory-limit', host.Memory ? null : 'run without --memory');
  return findings;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The image-age finding for an image created at `created` (the engine's RFC 3339 time), as of `now` (ms since the epoch). */
export function imageAgeFinding(created: string | null, now: number): PostureFinding | null {
  const at = created === null ? NaN : Date.parse(created);
  if (Number.isNaN(at) || now - at <= OLD_IMAGE_DAYS * DAY_MS) return null;
  return { id: 'old-image', detail: `created ${new Date(at).toISOString().slice(0, 10)}, ${Math.floor((now - at) / DAY_MS)} days ago` };
}

/** Every finding for a container, in the order of FINDING_IDS; `imageCreated` is null when its image could not be read. */
export function postureFindings(inspect: PostureInspect, imageCreated: string | null, now: number): PostureFinding[] {
  const age = imageAgeFinding(imageCreated, now);
  return age ? [...configFindings(inspect), age] : configFindings(inspect);
}
