import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineState } from '../api/engine';
import { engineLabel, trayIconPath, trayMenu, type MenuEntry, type TrayActions } from './trayMenu';

const clicked: string[] = [];
const actions: TrayActions = {
  open: () => clicked.push('open'),
  start: () => clicked.push('start'),
  stop: () => clicked.push('stop'),
  restart: () => clicked.push('restart'),
  settings: () => clicked.push('settings'),
  troubleshoot: () => clicked.push('troubleshoot'),
  quit: () => clicked.push('quit'),
};

const labelled = (entries: MenuEntry[]) => entries.flatMap((entry) => ('label' in entry ? [entry] : []));
const enabledOf = (state: EngineState | null): Record<string, boolean> =>
  Object.fromEntries(labelled(trayMenu(state, actions)).map((entry) => [entry.label, entry.enabled]));

describe('the tray menu', () => {
  it('shows the engine state first, as a line that cannot be clicked, then the actions in order', () => {
    const entries = trayMenu('not-responding', actions);
    expect(entries[0]).toEqual({ label: 'Engine: not responding', enabled: false });
    expect(labelled(entries).map((entry) => entry.label)).toEqual(['Engine: not responding', 'Open Berth', 'Start', 'Stop', 'Restart', 'Settings', 'Troubleshoot', 'Quit']);
    expect(entries.filter((entry) => 'type' in entry && entry.type === 'separator')).toHaveLength(4);
  });

  it('offers Start, Stop and Restart only where the engine can make that move', () => {
    const moves = (state: EngineState | null) => {
      const enabled = enabledOf(state);
      return ['Start', 'Stop', 'Restart'].filter((label) => enabled[label]);
    };
    expect(moves('stopped')).toEqual(['Start']);
    expect(moves('starting')).toEqual(['Stop']);
    expect(moves('running')).toEqual(['Stop', 'Restart']);
    expect(moves('not-responding')).toEqual(['Stop', 'Restart']);
    expect(moves('stopping')).toEqual([]);
    expect(moves('suspending')).toEqual([]);
    expect(moves('suspended')).toEqual(['Start', 'Stop']);
    expect(moves('error')).toEqual(['Start', 'Stop', 'Restart']);
    // No answer from the daemon: Start asks it, which brings it up.
    expect(moves(null)).toEqual(['Start']);
  });

  it('always offers the window, its views and Quit', () => {
    for (const state of [...EngineState.options, null]) {
      const enabled = enabledOf(state);
      expect([enabled['Open Berth'], enabled.Settings, enabled.Troubleshoot, enabled.Quit]).toEqual([true, true, true, true]);
    }
  });

  it('names every state in words', () => {
    expect(EngineState.options.map(engineLabel)).toEqual([
      'Engine: stopped',
      'Engine: starting',
      'Engine: running',
      'Engine: not responding',
      'Engine: stopping',
      'Engine: suspending',
      'Engine: suspended',
      'Engine: error',
    ]);
    expect(engineLabel(null)).toBe('Engine: unknown');
  });

  it('runs the action of the entry clicked', () => {
    clicked.length = 0;
    for (const entry of labelled(trayMenu('running', actions))) entry.click?.();
    expect(clicked).toEqual(['open', 'start', 'stop', 'restart', 'settings', 'troubleshoot', 'quit']);
  });
});

// The built app's root (appRoot() in out/main/) is the checkout's.
const root = resolve(__dirname, '..', '..', '..');

/** A PNG's size and colour type, from its IHDR chunk. */
function pngHeader(path: string): { width: number; height: number; rgba: boolean } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), rgba: bytes[25] === 6 };
}

describe('the tray icon', () => {
  it('ships as a 16 px PNG with a clear background, and a 32 px one for dense screens, on every platform', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      const path = trayIconPath(root, platform);
      expect(pngHeader(path)).toEqual({ width: 16, height: 16, rgba: true });
      expect(pngHeader(path.replace(/\.png$/, '@2x.png'))).toEqual({ width: 32, height: 32, rgba: true });
    }
    // macOS tints an image whose name ends in Template to suit the menu bar.
    expect(trayIconPath(root, 'darwin')).toMatch(/Template\.png$/);
  });
});
