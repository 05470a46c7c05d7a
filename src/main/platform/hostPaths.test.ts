import { describe, expect, it } from 'vitest';
import { comparable, guestPath, hostPath, listSeparator, spelledAs, splitBind, unreachable } from './hostPaths';

describe('host paths in the guest', () => {
  it('are the same paths on Linux and macOS, both ways', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      expect(guestPath('/home/ana/src', platform)).toBe('/home/ana/src');
      expect(hostPath('/Users/ana/src', platform)).toBe('/Users/ana/src');
      expect(spelledAs('/home/ana/SRC', '/home/ana', platform)).toBe('/home/ana/SRC');
      expect(comparable('/home/Ana', platform)).toBe('/home/Ana');
      expect(listSeparator(platform)).toBe(':');
    }
    expect(() => guestPath('relative/x', 'linux')).toThrow('relative/x is not an absolute path.');
  });

  it('put a Windows drive under /mnt, as WSL mounts it', () => {
    expect(guestPath('C:\\Users\\ana', 'win32')).toBe('/mnt/c/Users/ana');
    expect(guestPath('c:/Users/ana/', 'win32')).toBe('/mnt/c/Users/ana');
    expect(guestPath('D:\\', 'win32')).toBe('/mnt/d');
    expect(guestPath('C:\\Users\\ana\\..\\bob\\.\\src', 'win32')).toBe('/mnt/c/Users/bob/src');
    expect(guestPath('\\\\?\\C:\\Very\\Long', 'win32')).toBe('/mnt/c/Very/Long');
    expect(guestPath('C:\\Users\\ana\\my project (1)', 'win32')).toBe('/mnt/c/Users/ana/my project (1)');
    // A path that is already the guest's stays as it is.
    expect(guestPath('/var/run/docker.sock', 'win32')).toBe('/var/run/docker.sock');
    expect(guestPath('//var/run/docker.sock', 'win32')).toBe('//var/run/docker.sock');
    expect(() => guestPath('//./pipe/berth_docker', 'win32')).toThrow('//./pipe/berth_docker is a Windows device or named pipe, not a folder.');
    expect(listSeparator('win32')).toBe(';');
  });

  it('map a guest path under /mnt back to its drive', () => {
    expect(hostPath('/mnt/c/Users/ana', 'win32')).toBe('C:\\Users\\ana');
    expect(hostPath('/mnt/d', 'win32')).toBe('D:\\');
    expect(hostPath('/mnt/e/', 'win32')).toBe('E:\\');
    for (const host of ['C:\\Users\\ana\\src', 'D:\\', 'Z:\\a b\\c']) expect(hostPath(guestPath(host, 'win32'), 'win32')).toBe(host);
    expect(() => hostPath('/mnt/data/docker', 'win32')).toThrow("/mnt/data/docker is the VM's own path, not a folder of this machine");
    expect(() => hostPath('/home/ana', 'win32')).toThrow(/drives are under \/mnt\/<drive letter>/);
  });

  it('refuse network, device and relative Windows paths, saying what to use', () => {
    for (const unc of ['\\\\server\\share\\src', '\\\\?\\UNC\\server\\share\\x']) {
      expect(unreachable(unc, 'win32')).toMatch(/is a network \(UNC\) path/);
      expect(() => guestPath(unc, 'win32')).toThrow(expect.objectContaining({ name: 'HostPathUnreachable', hint: expect.stringMatching(/drive of this machine/) }));
    }
    // As a host folder //server/share is a network path; as a bind's source the Linux engine reads it as /server/share.
    expect(unreachable('//server/share', 'win32')).toMatch(/is a network \(UNC\) path/);
    expect(guestPath('//server/share', 'win32')).toBe('//server/share');
    expect(unreachable('\\\\.\\pipe\\berth_docker', 'win32')).toBe('is a Windows device or named pipe, not a folder');
    for (const relative of ['src\\app', 'C:src', '\\Users\\ana', '/home/ana']) expect(unreachable(relative, 'win32')).toMatch(/is not an absolute Windows path with a drive letter/);
    expect(unreachable('C:\\Users', 'win32')).toBeNull();
  });

  it('compare Windows folders without case, keeping the shared folder spelled as the guest mounts it', () => {
    expect(comparable('/mnt/c/Users/Ana', 'win32')).toBe('/mnt/c/users/ana');
    expect(spelledAs('/mnt/c/users/ana/SRC', '/mnt/c/Users/Ana', 'win32')).toBe('/mnt/c/Users/Ana/SRC');
  });
});

describe('bind sources', () => {
  it('split at the first colon on Linux and macOS; named volumes and relative paths are not sources', () => {
    expect(splitBind('/home/ana/src:/src:ro', 'linux')).toEqual({ source: '/home/ana/src', rest: ':/src:ro' });
    expect(splitBind('/only', 'darwin')).toEqual({ source: '/only', rest: '' });
    expect(splitBind('cache:/cache', 'linux')).toBeNull();
    expect(splitBind('C:\\src:/src', 'linux')).toBeNull();
  });

  it("keep a Windows drive letter's colon in the source", () => {
    expect(splitBind('C:\\Users\\ana\\src:/src:ro', 'win32')).toEqual({ source: 'C:\\Users\\ana\\src', rest: ':/src:ro' });
    expect(splitBind('c:/src:/src', 'win32')).toEqual({ source: 'c:/src', rest: ':/src' });
    expect(splitBind('\\\\?\\C:\\src:/src', 'win32')).toEqual({ source: '\\\\?\\C:\\src', rest: ':/src' });
    expect(splitBind('//./pipe/berth_docker:/var/run/docker.sock', 'win32')).toEqual({ source: '//./pipe/berth_docker', rest: ':/var/run/docker.sock' });
    expect(splitBind('\\\\server\\share:/x', 'win32')).toEqual({ source: '\\\\server\\share', rest: ':/x' });
    expect(splitBind('/mnt/c/src:/src', 'win32')).toEqual({ source: '/mnt/c/src', rest: ':/src' });
    expect(splitBind('cache:/cache', 'win32')).toBeNull();
    expect(splitBind('C:relative:/x', 'win32')).toBeNull();
  });
});
