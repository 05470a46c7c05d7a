import { describe, expect, it } from 'vitest';
import { berthHome, imageCacheDir, snapshotsDir } from './home';

describe('state folders per platform', () => {
  it('Linux: XDG data and cache folders, or their defaults under the home folder', () => {
    expect(berthHome({}, 'linux', '/home/ana')).toBe('/home/ana/.local/share/berth');
    expect(berthHome({ XDG_DATA_HOME: '/data' }, 'linux', '/home/ana')).toBe('/data/berth');
    expect(imageCacheDir({}, 'linux', '/home/ana')).toBe('/home/ana/.cache/berth/images');
    expect(imageCacheDir({ XDG_CACHE_HOME: '/cache' }, 'linux', '/home/ana')).toBe('/cache/berth/images');
    expect(snapshotsDir({}, 'linux', '/home/ana')).toBe('/home/ana/.cache/berth/snapshots');
  });

  it('macOS: Application Support and Caches in the user Library', () => {
    expect(berthHome({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Application Support/Berth');
    expect(imageCacheDir({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Caches/Berth/images');
    expect(snapshotsDir({}, 'darwin', '/Users/ana')).toBe('/Users/ana/Library/Caches/Berth/snapshots');
  });

  it('Windows: Berth in the local application data folder, its caches in its Cache folder', () => {
    const env = { LOCALAPPDATA: 'D:\\Profiles\\ana\\AppData\\Local' };
    expect(berthHome(env, 'win32', 'C:\\Users\\ana')).toBe('D:\\Profiles\\ana\\AppData\\Local\\Berth');
    expect(berthHome({}, 'win32', 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\AppData\\Local\\Berth');
    expect(imageCacheDir(env, 'win32', 'C:\\Users\\ana')).toBe('D:\\Profiles\\ana\\AppData\\Local\\Berth\\Cache\\images');
    expect(snapshotsDir(env, 'win32', 'C:\\Users\\ana')).toBe('D:\\Profiles\\ana\\AppData\\Local\\Berth\\Cache\\snapshots');
    // A home of its own keeps the user's one image cache.
    expect(imageCacheDir({ ...env, BERTH_HOME: 'E:\\b' }, 'win32', 'C:\\Users\\ana')).toBe('D:\\Profiles\\ana\\AppData\\Local\\Berth\\Cache\\images');
  });

  it('BERTH_HOME and BERTH_IMAGE_CACHE win on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(berthHome({ BERTH_HOME: '/b' }, platform, '/home/ana')).toBe('/b');
      expect(imageCacheDir({ BERTH_IMAGE_CACHE: '/c/images' }, platform, '/home/ana')).toBe('/c/images');
    }
  });
});
