import { z } from 'zod';
import { call, event, WireErrorShape } from './channel';
import { DriverName } from './plugins';

export const VolumeSummary = z.object({
  name: z.string(),
  driver: z.string(),
  mountpoint: z.string(),
  created: z.string().nullable(),
  /** Names of the containers (running or not) that mount it. */
  usedBy: z.array(z.string()),
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

export const VolumeName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, 'a volume name: letters, digits, and _ . - after the first character');

const Empty = z.object({}).strict();
const VolumeList = z.object({ volumes: z.array(VolumeSummary) });

// channel                   request                                                    reply
export const volumes = {
  'volumes.list': call(Empty, VolumeList),
  /** With the engine's own driver (`local`) unless a volume plugin's is named. */
  'volumes.create': call(z.object({ name: VolumeName.optional(), driver: DriverName.optional() }).strict(), z.object({ name: z.string() })),
  'volumes.remove': call(z.object({ names: z.array(VolumeName).min(1).max(1000) }).strict(), z.object({ results: z.array(z.object({ name: z.string(), error: WireErrorShape.nullable() })) })),
  'volumes.prune': call(Empty, z.object({ removed: z.array(z.string()), reclaimedBytes: z.number() })),
  /** The whole list again, whenever a volume or a container's use of one changed. */
  'volumes.changed': event(VolumeList),
};
