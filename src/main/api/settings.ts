import { z } from 'zod';
import { call, event, stream } from './channel';
import { DataDiskFile } from './diskUsage';
import { ApplyProgress, RegistrySettings } from './registry';

const isIpAddress = (value: string): boolean => z.ipv4().safeParse(value).success || z.ipv6().safeParse(value).success;
/** An absolute path on the host: /... here and on macOS, C:\\... or \\\\server\\... on Windows. */
export const isAbsolutePath = (value: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(value);

export const NetworkMode = z.enum(['normal', 'host-only']);
export type NetworkMode = z.infer<typeof NetworkMode>;

export const Theme = z.enum(['system', 'light', 'dark']);
/** What quitting the desktop app does to the engine: asks each time, or the answer the user chose to remember. */
export const QuitAction = z.enum(['ask', 'stop', 'keep']);

const proxyUrl = z
  .string()
  .max(2048)
  .refine((value) => value === '' || /^(https?|socks5h?):\/\/[^\s/?#]+(:\d+)?\/?$/.test(value), 'a proxy URL such as http://proxy.example:3128, or nothing');

/** Keys Berth sets in daemon.json itself, or has its own setting for. */
export const OWN_DAEMON_KEYS = {
  hosts: 'Berth serves the engine on its own socket',
  containerd: 'Berth runs containerd itself',
  iptables: 'Berth chooses it for the VM',
  'data-root': 'the engine keeps its data on the data disk',
  'insecure-registries': 'set insecure registries in Registries',
  proxies: 'set the proxy in Settings, Network',
} as const;

/** The user's daemon.json: any JSON object dockerd takes, without the keys Berth owns. */
export const DaemonConfig = z
  .record(z.string(), z.unknown())
  .superRefine((config, context) => {
    for (const key of Object.keys(config)) {
      if (Object.hasOwn(OWN_DAEMON_KEYS, key)) {
        context.addIssue({ code: 'custom', path: [key], message: `"${key}" is not set here: ${OWN_DAEMON_KEYS[key as keyof typeof OWN_DAEMON_KEYS]}` });
      }
    }
  });
export type DaemonConfig = z.infer<typeof DaemonConfig>;

export const SETTINGS_VERSION = 6;

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  /** The desktop app's own behaviour; the engine does not read these. */
  general: z.object({
    startAtLogin: z.boolean(),
    openWindowAtStart: z.boolean(),
    theme: Theme,
    quit: QuitAction,
  }),
  vm: z.object({
    cpus: z.number().int().min(1).max(64),
    memoryMiB: z.number().int().min(512).max(262144),
    diskGiB: z.number().int().min(1).max(4096),
    /** A swap file on the data disk; 0 for none. */
    swapMiB: z.number().int().min(0).max(65536),
    network: NetworkMode,
  }),
  network: z.object({
    /** For the engine's pulls (daemon.json "proxies") and, through the docker CLI's config, for containers. */
    proxy: z.object({ http: proxyUrl, https: proxyUrl, noProxy: z.string().max(4096).refine((value) => !/\s/.test(value.replace(/,\s+/g, ',')), 'host names separated by commas') }),
    /** The servers the VM's resolver asks in normal mode; empty for the host network's own. */
    dns: z.array(z.string().refine(isIpAddress, 'an IP address such as 1.1.1.1')).max(8),
  }),
  /** The user's daemon.json keys; Berth adds its own beside them. */
  engine: z.object({ daemon: DaemonConfig }),
  ports: z.object({
    /** Where published ports listen on the host. Loopback by default: a wider address exposes containers to the network. */
    bindAddress: z.string().refine(isIpAddress, 'an IP address such as 127.0.0.1'),
  }),
  /** Host folders the VM mounts at the same path; whether each exists is checked at start (settings/shares). */
  shares: z.array(z.string().refine(isAbsolutePath, 'an absolute folder path such as /home/you')),
  /** What the engine trusts beyond the usual; the CA files in DOCKER_CONFIG/certs.d are added at start (registry/guestSettings). */
  registries: RegistrySettings,
  /**
   * Resource Saver: after this many minutes with no container running and no client on the Docker socket, the
   * engine suspends itself, and the next request wakes it. 0 turns it off.
   */
  resourceSaver: z.object({ idleMinutes: z.number().min(0).max(1440) }),
});
export type Settings = z.infer<typeof Settings>;



/** What a changed setting takes to apply: nothing (it is read as it is used), the engine in the VM, or the VM. */
export const Restarts = z.enum(['nothing', 'engine', 'vm']);
export type Restarts = z.infer<typeof Restarts>;

interface KeyInfo {
  restarts: Restarts;
  /** What the value is, as `berth settings` lists it. */
  what: string;
}

/** The settings a user sets one by one (`berth settings set`, the Settings view), by their dotted path. */
export const SETTING_KEYS = {
  'general.startAtLogin': { restarts: 'nothing', what: 'true to start Berth when you log in (the desktop app)' },
  'general.openWindowAtStart': { restarts: 'nothing', what: 'true to open the window when Berth starts, false to start in the tray' },
  'general.theme': { restarts: 'nothing', what: 'system, light or dark' },
  'general.quit': { restarts: 'nothing', what: 'what quitting the app does to the engine: ask, stop, or keep (running)' },
  'vm.cpus': { restarts: 'vm', what: 'CPUs the VM has (1-64)' },
  'vm.memoryMiB': { restarts: 'vm', what: 'memory the VM has, in MiB (512 or more)' },
  'vm.diskGiB': { restarts: 'vm', what: 'the data disk size, in GiB (it only grows)' },
  'vm.swapMiB': { restarts: 'vm', what: 'swap on the data disk, in MiB (0 for none)' },
  'vm.network': { restarts: 'vm', what: 'normal, or host-only (containers reach only the host)' },
  'ports.bindAddress': { restarts: 'vm', what: 'the host address published ports listen on (127.0.0.1 by default)' },
  'network.proxy.http': { restarts: 'engine', what: 'the HTTP proxy for pulls and containers, such as http://proxy.example:3128 (empty for none)' },
  'network.proxy.https': { restarts: 'engine', what: 'the HTTPS proxy for pulls and containers (empty for none)' },
  'network.proxy.noProxy': { restarts: 'engine', what: 'hosts reached without the proxy, separated by commas' },
  'network.dns': { restarts: 'vm', what: 'DNS servers the VM asks in normal mode (a JSON list, or addresses separated by commas; empty for the host network\'s own)' },
  shares: { restarts: 'vm', what: 'the host folders the VM sees at the same path (a JSON list, or paths separated by commas)' },
  'registries.insecure': { restarts: 'engine', what: 'registries reached over plain HTTP or with an unchecked certificate (a JSON list, or host:port separated by commas)' },
  'engine.daemon': { restarts: 'engine', what: "the engine's daemon.json, as a JSON object (checked by dockerd in the VM)" },
  'resourceSaver.idleMinutes': { restarts: 'nothing', what: 'idle minutes before Resource Saver suspends the engine (0 turns it off)' },
} as const satisfies Record<string, KeyInfo>;

export type SettingKey = keyof typeof SETTING_KEYS;

/** The value at a dotted path. */
export function valueAt(settings: Settings, key: SettingKey): unknown {
  return key.split('.').reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], settings);
}

/** A deep copy; settings are plain JSON, and a view's draft is a reactive proxy that structuredClone refuses. */
export const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A copy of `settings` with each key set to (a copy of) its value. */
export function withValues(settings: Settings, values: [SettingKey, unknown][]): Record<string, unknown> {
  const copy = copyOf(settings) as unknown as Record<string, unknown>;
  for (const [key, value] of values) {
    const parts = key.split('.');
    const parent = parts.slice(0, -1).reduce((at, part) => at[part] as Record<string, unknown>, copy);
    parent[parts[parts.length - 1]] = value === undefined ? value : copyOf(value);
  }
  return copy;
}

const RANK: Record<Restarts, number> = { nothing: 0, engine: 1, vm: 2 };

/** The keys whose value differs from `before` to `after`. */
export function changedKeys(before: Settings, after: Settings): SettingKey[] {
  return (Object.keys(SETTING_KEYS) as SettingKey[]).filter((key) => JSON.stringify(valueAt(before, key)) !== JSON.stringify(valueAt(after, key)));
}

/** The most any of the changed keys takes to apply. */
export const restartsFor = (keys: SettingKey[]): Restarts =>
  keys.map((key): Restarts => SETTING_KEYS[key].restarts).reduce<Restarts>((most, next) => (RANK[next] > RANK[most] ? next : most), 'nothing');

/** The settings as the Settings view shows them, with the data disk as it is on the host. */
export const SettingsState = z.object({
  settings: Settings,
  /** Berth's own folder: shared folders may not lie inside it. */
  home: z.string(),
  /** The data disk file: its size (what the VM sees) and what it takes on the host; null before the first start. */
  dataDisk: DataDiskFile.nullable(),
  /** Settings an environment variable overrides for this run (BERTH_NETWORK, BERTH_SHARES): their key and the variable. */
  overridden: z.array(z.object({ key: z.string(), variable: z.string() })),
});
export type SettingsState = z.infer<typeof SettingsState>;

const Empty = z.object({}).strict();

// channel                 request  reply
export const settings = {
  'settings.get': call(Empty, SettingsState),
  /**
   * Saves the settings (all of them, as the view holds them) after checking them, then applies what changed:
   * nothing more, the engine restarted with a daemon.json dockerd has checked in the VM, or the VM restarted.
   */
  'settings.apply': stream(z.object({ settings: Settings }).strict(), ApplyProgress),
  /** The settings again whenever they were saved, from the window, the CLI or another window. */
  'settings.changed': event(SettingsState),
};
