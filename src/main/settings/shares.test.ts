import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate } from './migrations';
import { defaultSettings } from './schema';
import { effectiveShares, hostWithin, unusable } from './shares';
import { loadSettings } from './store';

const root = mkdtempSync(join(tmpdir(), 'berth-shares-'));
const folder = (name: string): string => {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
};
const withShares = (shares: string[]) => ({ ...defaultSettings(), shares });

describe('shared folders', () => {
  it('shares the home folder by default, and from version 3 of the settings file on', () => {
    expect(defaultSettings().shares).toEqual([homedir()]);
    expect(migrate({ version: 2, vm: { cpus: 3 } }, 3)).toMatchObject({ version: 3, vm: { cpus: 3 }, shares: [homedir()] });
    const path = join(root, 'settings.json');
    writeFileSync(path, JSON.stringify({ version: 3, shares: ['relative/folder'] }));
    expect(() => loadSettings(path)).toThrow(/shares\.0: an absolute folder path/);
  });

  it('lets BERTH_SHARES (colon-separated) win over the setting', () => {
    const a = folder('a');
    const b = folder('b');
    expect(effectiveShares(withShares([a]), {}, 's.json')).toEqual({ paths: [a], origin: 'setting' });
    expect(effectiveShares(withShares([a]), { BERTH_SHARES: `${b}:${a}` }, 's.json')).toEqual({ paths: [b, a], origin: 'env' });
    expect(effectiveShares(withShares([a]), { BERTH_SHARES: '' }, 's.json').origin).toBe('setting');
  });

  it('keeps only the outermost of nested folders, once each', () => {
    const outer = folder('outer');
    const inner = folder('outer/inner');
    expect(effectiveShares(withShares([inner, `${outer}/`, outer]), {}, 's.json').paths).toEqual([outer]);
  });

  it('names a folder that cannot be shared, and where it was listed', () => {
    const missing = join(root, 'missing');
    expect(() => effectiveShares(withShares([missing]), {}, '/h/settings.json')).toThrow(
      `The "shares" setting lists ${missing}, which does not exist.`,
    );
    try {
      effectiveShares(withShares([]), { BERTH_SHARES: 'relative' }, 's.json');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('BERTH_SHARES lists relative, which is not an absolute path.');
      expect((error as { hint: string }).hint).toMatch(/Change BERTH_SHARES/);
    }
    const file = join(root, 'file');
    writeFileSync(file, '');
    expect(() => effectiveShares(withShares([file]), {}, 's.json')).toThrow(/is not a folder/);
  });

  it("refuses a folder that would hide the VM's own", () => {
    for (const [path, hidden] of [['/', '/bin'], ['/usr/local', '/usr'], ['/var', '/var/lib/docker'], ['/run/user/1000', '/run']]) {
      expect(() => effectiveShares(withShares([path]), {}, 's.json')).toThrow(`would hide the VM's own ${hidden}`);
    }
  });

  it('on Windows: BERTH_SHARES is separated by semicolons, and a network path is refused', () => {
    try {
      effectiveShares(withShares([]), { BERTH_SHARES: '\\\\server\\share;C:\\Users\\ana' }, 's.json', 'win32');
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe("BERTH_SHARES lists \\\\server\\share, which is a network (UNC) path: the VM sees folders of this machine's own drives only.");
      expect((error as { hint: string }).hint).toMatch(/Change BERTH_SHARES \(absolute paths separated by ;\)/);
    }
    expect(unusable('C:relative', 'win32')).toBe('is not an absolute path');
    expect(unusable('/home/ana', 'win32')).toBe('is not an absolute Windows path with a drive letter, such as C:\\Users\\you');
    expect(unusable('\\\\.\\pipe\\berth_docker', 'win32')).toBe('is a Windows device or named pipe, not a folder');
  });

  it('compares Windows folders as the guest sees them, without case', () => {
    expect(hostWithin('c:\\users\\ana\\src', 'C:\\Users\\Ana', 'win32')).toBe(true);
    expect(hostWithin('C:\\Users\\Anabel', 'C:\\Users\\Ana', 'win32')).toBe(false);
    expect(hostWithin('D:\\Users\\Ana', 'C:\\Users\\Ana', 'win32')).toBe(false);
    expect(hostWithin('/home/Ana/src', '/home/ana', 'linux')).toBe(false);
    expect(hostWithin('/home/ana/src', '/home/ana', 'linux')).toBe(true);
  });
});
