import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { RegistrySettings } from '../api/registry';

export const NetworkMode = z.enum(['normal', 'host-only']);
export type NetworkMode = z.infer<typeof NetworkMode>;

export const SETTINGS_VERSION = 5;

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  vm: z.object({
    cpus: z.number().int().min(1).max(64),
    memoryMiB: z.number().int().min(512).max(262144),
    diskGiB: z.number().int().min(1).max(4096),
    network: NetworkMode,
  }),
  ports: z.object({
    /** Where published ports listen on the host. Loopback by default: a wider address exposes containers to the network. */
    bindAddress: z.string().refine((value) => isIP(value) !== 0, 'an IP address such as 127.0.0.1'),
  }),
  /** Host folders the VM mounts at the same path; whether each exists is checked at start (settings/shares). */
  shares: z.array(z.string().refine((value) => isAbsolute(value), 'an absolute folder path such as /home/you')),
  /** What the engine trusts beyond the usual; the CA files in DOCKER_CONFIG/certs.d are added at start (registry/guestSettings). */
  registries: RegistrySettings,
  /**
   * Resource Saver: after this many minutes with no container running and no client on the Docker socket, the
   * engine suspends itself, and the next request wakes it. 0 turns it off.
   */
  resourceSaver: z.object({ idleMinutes: z.number().min(0).max(1440) }),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings = (): Settings => ({
  version: SETTINGS_VERSION,
  vm: { cpus: 2, memoryMiB: 2048, diskGiB: 64, network: 'normal' },
  ports: { bindAddress: '127.0.0.1' },
  shares: [homedir()],
  registries: { certificates: [], insecure: [] },
  resourceSaver: { idleMinutes: 5 },
});
