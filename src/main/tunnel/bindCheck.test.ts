import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindSources, mapEngineSocket, socketAliases, unsharedMessage, unsharedSource } from './bindCheck';

describe('bind check', () => {
  it('reads absolute sources from Binds and bind Mounts only', () => {
    const create = {
      HostConfig: {
        Binds: ['/a:/x:ro', 'named:/y', 'relative/path:/z'],
        Mounts: [{ Type: 'bind', Source: '/b', Target: '/b' }, { Type: 'volume', Source: 'v', Target: '/v' }, { Type: 'tmpfs', Target: '/t' }],
      },
    };
    expect(bindSources(create)).toEqual(['/a', '/b']);
    expect(bindSources({})).toEqual([]);
    expect(bindSources(null)).toEqual([]);
  });

  it("allows the guest's own folders without a share", () => {
    const shares = { paths: [], origin: 'setting' as const };
    const binds = ['/var/run/docker.sock:/s', '/run/x:/r', '/var/lib/docker/volumes/v:/v', '/proc:/host/proc', '/sys:/sys', '/dev:/dev'];
    expect(unsharedSource({ HostConfig: { Binds: binds } }, shares)).toBeNull();
    expect(unsharedSource({ HostConfig: { Binds: ['/var/lib/dockerx:/x'] } }, shares)).toBe('/var/lib/dockerx');
    expect(unsharedSource({ HostConfig: { Binds: ['/run/../etc:/x'] } }, shares)).toBe('/run/../etc');
  });

  it('says when BERTH_SHARES decided the list', () => {
    expect(unsharedMessage('/opt/x', { paths: ['/tmp/a', '/tmp/b'], origin: 'env' })).toBe(
      'Berth cannot mount /opt/x: it is outside the folders shared with the VM (BERTH_SHARES, which overrides the setting "shares": /tmp/a, /tmp/b). ' +
        'Add it to the shares setting, or set BERTH_SHARES, then restart Berth.',
    );
  });

  it("maps only binds of the host socket's own path, keeping their options", () => {
    const create = {
      HostConfig: {
        Binds: ['/h/run/docker.sock:/var/run/docker.sock', '/h/run/docker.sock.bak:/b', 'named:/n', 7],
        Mounts: [{ Type: 'volume', Source: '/h/run/docker.sock', Target: '/v' }],
      },
    };
    expect(mapEngineSocket(create, ['/h/run/docker.sock'])).toBe(true);
    expect(create.HostConfig.Binds).toEqual(['/var/run/docker.sock:/var/run/docker.sock', '/h/run/docker.sock.bak:/b', 'named:/n', 7]);
    expect(create.HostConfig.Mounts[0].Source).toBe('/h/run/docker.sock');
    expect(mapEngineSocket({ HostConfig: { Binds: ['/x:/y'] } }, ['/h/run/docker.sock'])).toBe(false);
    expect(mapEngineSocket(null, ['/h/run/docker.sock'])).toBe(false);
  });

  it('knows the socket by its real path when its folder is reached through a link', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-alias-'));
    try {
      mkdirSync(join(dir, 'real'));
      symlinkSync(join(dir, 'real'), join(dir, 'link'));
      const aliases = socketAliases(join(dir, 'link', 'docker.sock'));
      expect(aliases).toContain(join(dir, 'link', 'docker.sock'));
      expect(aliases.some((alias) => alias.endsWith('/real/docker.sock'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
