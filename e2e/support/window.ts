/**
 * Which window the dashboard scenarios drive: chromium on `berth serve` (browser mode), or the real
 * Electron window. e2e/electron runs the same scenario files through the second.
 */
export type DashboardWindow = 'browser' | 'electron';
let driven: DashboardWindow = 'browser';

export function driveElectronWindow(): void {
  driven = 'electron';
}

export const drivenWindow = (): DashboardWindow => driven;

/** How a scenario's title says where it runs. */
export const inWindow = (): string => (driven === 'electron' ? 'in the Electron window' : 'in browser mode');
