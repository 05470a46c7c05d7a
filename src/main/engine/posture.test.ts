import { describe, expect, it } from 'vitest';
import { FINDING_IDS } from '../api/posture';
import { addedCapabilities, configFindings, imageAgeFinding, postureFindings, type PostureInspect } from './posture';

/** A container with no finding at all: a user, a read-only root, a memory limit, its own namespaces. */
const hardened = (): PostureInspect => ({
  Config: { User: '1000' },
  HostConfig: { Privileged: false, CapAdd: null, NetworkMode: 'bridge', PidMode: '', IpcMode: 'private', ReadonlyRootfs: true, Memory: 64 * 2 ** 20, Binds: null, Mounts: null },
  Mounts: [],
});

const ids = (inspect: PostureInspect): string[] => configFindings(inspect).map((finding) => finding.id);
const withHost = (host: PostureInspect['HostConfig']): PostureInspect => ({ ...hardened(), HostConfig: { ...hardened().HostConfig, ...host } });

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-12-06T12:00:00Z');

describe('a container’s security posture', () => {
  it('finds nothing in a container run as a user, read-only, with a memory limit', () => {
    expect(postureFindings(hardened(), new Date(NOW - DAY).toISOString(), NOW)).toEqual([]);
  });

  it('finds what `docker run busybox` gives: root, a writable root file system, no memory limit', () => {
    const plain: PostureInspect = { Config: { User: '' }, HostConfig: { NetworkMode: 'bridge', ReadonlyRootfs: false, Memory: 0 } };
    expect(configFindings(plain)).toEqual([
      { id: 'root', detail: "no user set: the image's default, root" },
      { id: 'writable-root', detail: 'run without --read-only' },
      { id: 'no-memory-limit', detail: 'run without --memory' },
    ]);
  });

  it('counts root by name or number, with or without a group, and no other user', () => {
    const runsAs = (User: string): boolean => ids({ ...hardened(), Config: { User } }).includes('root');
    for (const user of ['', ' ', '0', 'root', '0:0', 'root:staff', '0:1000', '00']) expect(runsAs(user), user).toBe(true);
    for (const user of ['1000', '1000:0', 'nobody', 'rooty', '10', 'app:root']) expect(runsAs(user), user).toBe(false);
    expect(configFindings({ ...hardened(), Config: { User: 'root:staff' } })).toEqual([{ id: 'root', detail: 'user root:staff' }]);
  });

  it('finds privileged containers', () => {
    expect(ids(withHost({ Privileged: true }))).toEqual(['privileged']);
  });

  it("finds only capabilities beyond Docker's default set, with or without the CAP_ prefix, in any case", () => {
    expect(addedCapabilities(['NET_ADMIN'])).toEqual(['NET_ADMIN']);
    expect(addedCapabilities(['cap_sys_admin', 'CAP_NET_ADMIN', 'net_admin'])).toEqual(['SYS_ADMIN', 'NET_ADMIN']);
    expect(addedCapabilities(['CHOWN', 'CAP_KILL', 'net_bind_service', 'AUDIT_WRITE'])).toEqual([]);
    expect(addedCapabilities(null)).toEqual([]);
    expect(configFindings(withHost({ CapAdd: ['CAP_NET_RAW', 'SYS_PTRACE'] }))).toEqual([{ id: 'added-capabilities', detail: 'SYS_PTRACE' }]);
    expect(ids(withHost({ CapAdd: ['SETUID', 'MKNOD'] }))).toEqual([]);
  });

  it('counts ALL as every capability', () => {
    expect(addedCapabilities(['NET_ADMIN', 'all'])).toEqual(['ALL']);
    expect(addedCapabilities(['CAP_ALL'])).toEqual(['ALL']);
    expect(configFindings(withHost({ CapAdd: ['ALL'] }))).toEqual([{ id: 'added-capabilities', detail: 'ALL' }]);
  });

  it("finds the host's network, PID and IPC namespaces, each apart, and not another container's", () => {
    expect(ids(withHost({ NetworkMode: 'host' }))).toEqual(['host-network']);
    expect(ids(withHost({ PidMode: 'host' }))).toEqual(['host-pid']);
    expect(ids(withHost({ IpcMode: 'host' }))).toEqual(['host-ipc']);
    expect(ids(withHost({ NetworkMode: 'host', PidMode: 'host', IpcMode: 'host' }))).toEqual(['host-network', 'host-pid', 'host-ipc']);
    expect(ids(withHost({ NetworkMode: 'container:abc', PidMode: 'container:abc', IpcMode: 'shareable' }))).toEqual([]);
  });

  it('finds the Docker socket bound by -v, by --mount, or as the engine reports its mounts', () => {
    expect(configFindings(withHost({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }))).toEqual([
      { id: 'docker-socket', detail: '/var/run/docker.sock at /var/run/docker.sock' },
    ]);
    expect(ids(withHost({ Binds: ['/run/docker.sock:/sock:ro'] }))).toEqual(['docker-socket']);
    expect(ids(withHost({ Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock.raw', Target: '/var/run/docker.sock' }] }))).toEqual(['docker-socket']);
    const reported: PostureInspect = { ...hardened(), Mounts: [{ Type: 'bind', Source: '/var/run//docker.sock', Destination: '/docker.sock' }] };
    expect(configFindings(reported)).toEqual([{ id: 'docker-socket', detail: '/var/run/docker.sock at /docker.sock' }]);
  });

  it('says a socket bound by -v once, though the engine reports the same bind among its mounts', () => {
    const both: PostureInspect = {
      ...withHost({ Binds: ['/var/run/docker.sock:/var/run/docker.sock'] }),
      Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock' }],
    };
    expect(configFindings(both)).toEqual([{ id: 'docker-socket', detail: '/var/run/docker.sock at /var/run/docker.sock' }]);
  });

  it('finds a bound folder that holds the socket, and no other bind or volume', () => {
    expect(configFindings(withHost({ Binds: ['/run/:/host-run'] }))).toEqual([{ id: 'docker-socket', detail: "/run (holding the engine's socket) at /host-run" }]);
    expect(ids(withHost({ Binds: ['/:/host'] }))).toEqual(['docker-socket']);
    expect(ids(withHost({ Binds: ['/srv/data:/data', 'docker.sock:/var/run/docker.sock', '/var/run/docker.sock.bak:/x'] }))).toEqual([]);
    const volume: PostureInspect = { ...hardened(), Mounts: [{ Type: 'volume', Source: '/var/run/docker.sock', Destination: '/x' }] };
    expect(ids(volume)).toEqual([]);
  });

  it('finds an image created more than 90 days ago, and says when', () => {
    expect(imageAgeFinding(new Date(NOW - 91 * DAY).toISOString(), NOW)).toEqual({ id: 'old-image', detail: 'created 2026-09-06, 91 days ago' });
    expect(imageAgeFinding(new Date(NOW - 90 * DAY).toISOString(), NOW)).toBeNull();
    expect(imageAgeFinding('2026-12-01T00:00:00.123456789Z', NOW)).toBeNull();
    expect(imageAgeFinding('1970-01-01T00:00:00Z', NOW)?.detail).toBe('created 1970-01-01, 20793 days ago');
  });

  it('finds nothing about an image it could not read or whose date makes no sense', () => {
    expect(imageAgeFinding(null, NOW)).toBeNull();
    expect(imageAgeFinding('yesterday', NOW)).toBeNull();
  });

  it('lists every finding at once in the order the badges show, the image last', () => {
    const everything: PostureInspect = {
      Config: {},
      HostConfig: { Privileged: true, CapAdd: ['SYS_ADMIN'], NetworkMode: 'host', PidMode: 'host', IpcMode: 'host', Binds: ['/var/run/docker.sock:/s'] },
    };
    expect(postureFindings(everything, '2020-01-01T00:00:00Z', NOW).map((finding) => finding.id)).toEqual([...FINDING_IDS]);
  });
});
