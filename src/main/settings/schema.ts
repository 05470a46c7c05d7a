import { homedir } from 'node:os';
import { SETTINGS_VERSION, type DaemonConfig, type Settings } from '../api/settings';

export { DaemonConfig, NetworkMode, OWN_DAEMON_KEYS, QuitAction, Settings, SETTINGS_VERSION, Theme } from '../api/settings';

/** What Docker Desktop's Docker Engine settings start with, so a daemon.json brought from it reads the same. */
export const defaultDaemonConfig = (): DaemonConfig => ({ builder: { gc: { defaultKeepStorage: '20GB', enabled: true } }, experimental: false });

export const defaultSettings = (): Settings => ({
  version: SETTINGS_VERSION,
  general: { startAtLogin: false, openWindowAtStart: true, theme: 'system', quit: 'ask' },
  vm: { cpus: 2, memoryMiB: 2048, diskGiB: 64, swapMiB: 1024, network: 'normal' },
  network: { proxy: { http: '', https: '', noProxy: '' }, dns: [] },
  engine: { daemon: defaultDaemonConfig() },
  ports: { bindAddress: '127.0.0.1' },
  shares: [homedir()],
  registries: { certificates: [], insecure: [] },
  resourceSaver: { idleMinutes: 5 },
});
