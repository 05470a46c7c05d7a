import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindSources, createInspector, mapEngineSocket, placeBinds, socketAliases, unsharedMessage } from './bindCheck';

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
    const create = { HostConfig: { Binds: [...binds] } };
    expect(placeBinds(create, shares)).toEqual({ moved: false });
    expect(create.HostConfig.Binds).toEqual(binds);
    expect(placeBinds({ HostConfig: { Binds: ['/var/lib/dockerx:/x'] } }, shares)).toEqual({ refused: unsharedMessage('/var/lib/dockerx', shares) });
    expect(placeBinds({ HostConfig: { Binds: ['/run/../etc:/x'] } }, shares)).toEqual({ refused: unsharedMessage('/run/../etc', shares) });
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

describe('bind check for a Windows host', () => {
  const shares = { paths: ['C:\\Users\\Ana'], origin: 'setting' as const };
  const inspect = createInspector(shares, '\\\\.\\pipe\\berth_docker', 'win32');
  const created = (hostConfig: unknown) => inspect(Buffer.from(JSON.stringify({ Image: 'busybox', HostConfig: hostConfig })));
  const sent = (verdict: ReturnType<typeof inspect>): unknown => (verdict.kind === 'rewrite' ? JSON.parse(verdict.body.toString('utf8')).HostConfig : verdict);

  it('moves drive paths in a shared folder to their guest paths, keeping targets and options', () => {
    const verdict = created({
      Binds: ['C:\\Users\\Ana\\src:/src:ro', 'c:/users/ana/notes:/notes', 'cache:/cache', '/mnt/c/Users/Ana/x:/x'],
      Mounts: [{ Type: 'bind', Source: 'C:\\Users\\Ana\\data', Target: '/data' }, { Type: 'volume', Source: 'v', Target: '/v' }],
    });
    expect(sent(verdict)).toEqual({
      Binds: ['/mnt/c/Users/Ana/src:/src:ro', '/mnt/c/Users/Ana/notes:/notes', 'cache:/cache', '/mnt/c/Users/Ana/x:/x'],
      Mounts: [{ Type: 'bind', Source: '/mnt/c/Users/Ana/data', Target: '/data' }, { Type: 'volume', Source: 'v', Target: '/v' }],
    });
  });

  it("gives a bind of Berth's pipe, in either slash form, the engine's socket", () => {
    expect(socketAliases('\\\\.\\pipe\\berth_docker')).toEqual(['//./pipe/berth_docker']);
    const verdict = created({ Binds: ['//./pipe/berth_docker:/var/run/docker.sock', '\\\\.\\PIPE\\Berth_Docker:/s:ro'] });
    expect(sent(verdict)).toEqual({ Binds: ['/var/run/docker.sock:/var/run/docker.sock', '/var/run/docker.sock:/s:ro'] });
  });

  it("passes the guest's own paths and named volumes unchanged", () => {
    expect(created({ Binds: ['/var/run/docker.sock:/var/run/docker.sock', '//var/run/docker.sock:/s', 'data:/data'] })).toEqual({ kind: 'pass' });
  });

  it('refuses a folder outside the shared ones, a network path and another pipe, saying why', () => {
    expect(created({ Binds: ['D:\\data:/d'] })).toEqual({ kind: 'refuse', message: unsharedMessage('D:\\data', shares) });
    expect(created({ Mounts: [{ Type: 'bind', Source: '\\\\server\\share\\src', Target: '/src' }] })).toEqual({
      kind: 'refuse',
      message:
        "Berth cannot mount \\\\server\\share\\src: it is a network (UNC) path: the VM sees folders of this machine's own drives only. " +
        'Use a folder on a drive of this machine, inside a shared folder (Settings, File sharing), then try again.',
    });
    expect(created({ Binds: ['//./pipe/docker_engine:/var/run/docker.sock'] })).toMatchObject({ kind: 'refuse', message: expect.stringMatching(/is a Windows device or named pipe, not a folder/) });
  });

  it('leaves every source as sent on Linux, even one spelled loosely', () => {
    const create = { HostConfig: { Binds: ['/home/ana//src/:/src'] } };
    expect(placeBinds(create, { paths: ['/home/ana'], origin: 'setting' }, 'linux')).toEqual({ moved: false });
    expect(create.HostConfig.Binds).toEqual(['/home/ana//src/:/src']);
  });
});

