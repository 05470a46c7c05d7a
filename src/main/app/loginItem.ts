import { mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileDurably } from '../durableFile';

/** What starting at login takes: Electron's login items on macOS and Windows, an XDG autostart entry on Linux. */
export interface LoginItemTarget {
  platform: NodeJS.Platform;
  app: { setLoginItemSettings(settings: { openAtLogin: boolean }): void };
  /** The desktop entry Linux sessions start at login. */
  autostartFile: string;
  /** The command that starts this Berth: the executable and its arguments. */
  command: readonly string[];
}

/** Where Linux desktops (GNOME, KDE, Xfce and others, by the XDG Autostart spec) look for what to start at login. */
export const autostartFile = (env = process.env): string => join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', 'berth.desktop');

/**
 * One argument of a desktop entry's Exec key, by the Desktop Entry spec: quoted, with ", `, $ and \ escaped inside
 * the quotes, then every \ escaped again as the key's string value demands, and % doubled (it starts a field code).
 */
const execArgument = (argument: string): string => `"${argument.replace(/["`$\\]/g, '\\$&')}"`.replace(/\\/g, '\\\\').replace(/%/g, '%%');

export function desktopEntry(command: readonly string[]): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Berth', 'Comment=Run containers locally', `Exec=${command.map(execArgument).join(' ')}`, 'Terminal=false', 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

/** Makes this Berth start when the user logs in, or no longer. */
export function setStartAtLogin(open: boolean, target: LoginItemTarget): void {
  // Electron's login items exist on macOS and Windows only.
  if (target.platform === 'darwin' || target.platform === 'win32') return target.app.setLoginItemSettings({ openAtLogin: open });
  if (!open) return rmSync(target.autostartFile, { force: true });
  mkdirSync(dirname(target.autostartFile), { recursive: true });
  writeFileDurably(target.autostartFile, desktopEntry(target.command), 0o644);
}
