import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autostartFile, desktopEntry, setStartAtLogin, type LoginItemTarget } from './loginItem';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'berth-login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function target(platform: NodeJS.Platform) {
  const loginItems: { openAtLogin: boolean }[] = [];
  const value: LoginItemTarget = {
    platform,
    app: { setLoginItemSettings: (settings) => loginItems.push(settings) },
    autostartFile: join(dir, 'autostart', 'berth.desktop'),
    command: ['/opt/Berth/berth'],
  };
  return { value, loginItems };
}

/** The Exec key's arguments as a desktop environment reads them: the string escapes first, then the quoting. */
function execArguments(entry: string): string[] {
  const exec = /^Exec=(.*)$/m.exec(entry)?.[1] ?? '';
  const unescaped = exec.replace(/\\(.)/g, (_all, char: string) => (char === '\\' ? '\\' : `\\${char}`)).replace(/%%/g, '%');
  return [...unescaped.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]!.replace(/\\(["`$\\])/g, '$1'));
}

describe('starting at login', () => {
  it('uses the login items of macOS and Windows', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const { value, loginItems } = target(platform);
      setStartAtLogin(true, value);
      setStartAtLogin(false, value);
      expect(loginItems).toEqual([{ openAtLogin: true }, { openAtLogin: false }]);
      expect(existsSync(value.autostartFile)).toBe(false);
    }
  });

  it('writes and removes an XDG autostart entry on Linux', () => {
    const { value, loginItems } = target('linux');
    setStartAtLogin(true, value);
    const entry = readFileSync(value.autostartFile, 'utf8');
    expect(entry.split('\n').slice(0, 3)).toEqual(['[Desktop Entry]', 'Type=Application', 'Name=Berth']);
    expect(execArguments(entry)).toEqual(['/opt/Berth/berth']);
    expect(statSync(value.autostartFile).mode & 0o777).toBe(0o644);
    // Applied again with the same answer: the same entry, no error.
    setStartAtLogin(true, value);
    expect(readFileSync(value.autostartFile, 'utf8')).toBe(entry);
    setStartAtLogin(false, value);
    expect(existsSync(value.autostartFile)).toBe(false);
    setStartAtLogin(false, value);
    expect(loginItems).toEqual([]);
  });

  it('quotes every argument of the command as the Desktop Entry spec says', () => {
    const command = ['/home/a user/Electron', '/home/a user/berth "dev"/$HOME`x`\\50%'];
    expect(execArguments(desktopEntry(command))).toEqual(command);
    expect(desktopEntry(command)).toContain('%%');
  });

  it('puts the entry in XDG_CONFIG_HOME, or ~/.config', () => {
    expect(autostartFile({ XDG_CONFIG_HOME: '/x/config' })).toBe('/x/config/autostart/berth.desktop');
    expect(autostartFile({})).toMatch(/\/\.config\/autostart\/berth\.desktop$/);
  });
});
