import { z } from 'zod';

export const NetworkMode = z.enum(['normal', 'host-only']);
export type NetworkMode = z.infer<typeof NetworkMode>;

export const SETTINGS_VERSION = 1;

export const Settings = z.object({
  version: z.literal(SETTINGS_VERSION),
  vm: z.object({
    cpus: z.number().int().min(1).max(64),
    memoryMiB: z.number().int().min(512).max(262144),
    diskGiB: z.number().int().min(1).max(4096),
    network: NetworkMode,
  }),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings = (): Settings => ({
  version: SETTINGS_VERSION,
  vm: { cpus: 2, memoryMiB: 2048, diskGiB: 64, network: 'normal' },
});
