import { join } from 'node:path';
import type { EngineState } from '../api/engine';

/**
 * A menu entry as the shell builds it. It is a subset of Electron's MenuItemConstructorOptions, so the tray hands
 * the list to Menu.buildFromTemplate as it is, and a test reads it as plain data.
 */
export type MenuEntry = { type: 'separator' } | { label: string; enabled: boolean; click?: () => void };

export interface TrayActions {
  open(): void;
  start(): void;
  stop(): void;
  restart(): void;
  settings(): void;
  troubleshoot(): void;
  quit(): void;
}

// What the daemon's lifecycle accepts from each state (daemon/lifecycle.ts): a suspended engine resumes on Start,
// and Stop gives up its saved VM; Stop during a start cancels it. Moves already under way offer nothing.
const CAN_START: readonly EngineState[] = ['stopped', 'suspended', 'error'];
const CAN_STOP: readonly EngineState[] = ['starting', 'running', 'not-responding', 'suspended', 'error'];
const CAN_RESTART: readonly EngineState[] = ['running', 'not-responding', 'error'];

/** The engine's state in words; null while the shell has no answer from the daemon. */
export const engineLabel = (state: EngineState | null): string => `Engine: ${state === null ? 'unknown' : state.replace('-', ' ')}`;

/**
 * The tray's menu for the engine's `state`. With no answer from the daemon only Start is offered: asking for it
 * starts the daemon too, and its answer says what happened.
 */
export function trayMenu(state: EngineState | null, actions: TrayActions): MenuEntry[] {
  const allowed = (states: readonly EngineState[]): boolean => state !== null && states.includes(state);
  return [
    { label: engineLabel(state), enabled: false },
    { type: 'separator' },
    { label: 'Open Berth', enabled: true, click: actions.open },
    { type: 'separator' },
    { label: 'Start', enabled: state === null || allowed(CAN_START), click: actions.start },
    { label: 'Stop', enabled: allowed(CAN_STOP), click: actions.stop },
    { label: 'Restart', enabled: allowed(CAN_RESTART), click: actions.restart },
    { type: 'separator' },
    { label: 'Settings', enabled: true, click: actions.settings },
    { label: 'Troubleshoot', enabled: true, click: actions.troubleshoot },
    { type: 'separator' },
    { label: 'Quit', enabled: true, click: actions.quit },
  ];
}

/**
 * The tray icon's file, in resources/ (drawn from the SVG beside it by scripts/icons.mjs): on macOS a template
 * image, black on clear, which the menu bar tints; elsewhere Berth's blue one. A NAME@2x.png beside it serves dense screens.
 */
export const trayIconPath = (root: string, platform: NodeJS.Platform): string => join(root, 'resources', platform === 'darwin' ? 'trayTemplate.png' : 'tray.png');
