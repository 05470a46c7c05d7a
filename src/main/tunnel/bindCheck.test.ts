import { describe, expect, it } from 'vitest';
import { bindSources, unsharedMessage, unsharedSource } from './bindCheck';

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
});
