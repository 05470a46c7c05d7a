import { z } from 'zod';
import { call } from './channel';

const Bytes = z.number().int().min(0);
const Count = z.number().int().min(0);

/** One kind's totals, reckoned as `docker system df` reckons them. */
export const KindTotals = z.object({
  total: Count,
  /** Images with a container, running (or paused, restarting) containers, volumes a container mounts, build cache in use. */
  active: Count,
  sizeBytes: Bytes,
  reclaimableBytes: Bytes,
  /** Of the size, as the docker CLI shows it (whole percent, rounded down); null where it shows none (build cache, or nothing at all). */
  reclaimablePercent: z.number().int().min(0).max(100).nullable(),
});
export type KindTotals = z.infer<typeof KindTotals>;

export const ImageUsage = z.object({
  id: z.string(),
  /** `<none>` for a dangling image, as `docker system df -v` writes it. */
  repository: z.string(),
  tag: z.string(),
  /** Unix seconds. */
  created: z.number(),
  sizeBytes: Bytes,
  /** Null where the engine could not tell (its -1). */
  sharedBytes: Bytes.nullable(),
  uniqueBytes: Bytes.nullable(),
  containers: Count.nullable(),
});
export type ImageUsage = z.infer<typeof ImageUsage>;

export const ContainerUsage = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  command: z.string(),
  /** Mounts of volumes of the local driver. */
  localVolumes: Count,
  /** What the container wrote on top of its image. */
  sizeBytes: Bytes,
  /** Unix seconds. */
  created: z.number(),
  state: z.string(),
  status: z.string(),
});
export type ContainerUsage = z.infer<typeof ContainerUsage>;

export const VolumeUsage = z.object({
  name: z.string(),
  /** How many containers mount it. */
  links: Count,
  sizeBytes: Bytes.nullable(),
});
export type VolumeUsage = z.infer<typeof VolumeUsage>;

export const BuildCacheUsage = z.object({
  id: z.string(),
  type: z.string(),
  sizeBytes: Bytes,
  created: z.string(),
  lastUsed: z.string().nullable(),
  usageCount: Count,
  inUse: z.boolean(),
  shared: z.boolean(),
});
export type BuildCacheUsage = z.infer<typeof BuildCacheUsage>;

/** The data disk image on the host: its apparent size (the ceiling the guest sees) and the blocks it takes. */
export const DataDiskFile = z.object({ path: z.string(), apparentBytes: Bytes, allocatedBytes: Bytes });
export type DataDiskFile = z.infer<typeof DataDiskFile>;

export const DiskUsage = z.object({
  images: KindTotals.extend({ items: z.array(ImageUsage) }),
  containers: KindTotals.extend({ items: z.array(ContainerUsage) }),
  volumes: KindTotals.extend({ items: z.array(VolumeUsage) }),
  buildCache: KindTotals.extend({ items: z.array(BuildCacheUsage) }),
  /** Null before the first start made it. */
  dataDisk: DataDiskFile.nullable(),
});
export type DiskUsage = z.infer<typeof DiskUsage>;

/**
 * What a prune removes: stopped containers; dangling images, or with `all` every image no container uses;
 * every volume no container mounts; build cache nothing uses.
 */
export const PruneRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('containers') }).strict(),
  z.object({ kind: z.literal('images'), all: z.boolean() }).strict(),
  z.object({ kind: z.literal('volumes') }).strict(),
  z.object({ kind: z.literal('buildCache') }).strict(),
]);
export type PruneRequest = z.infer<typeof PruneRequest>;
export type PruneKind = PruneRequest['kind'];

export const Pruned = z.object({ removed: Count, reclaimedBytes: Bytes });
export type Pruned = z.infer<typeof Pruned>;

const Empty = z.object({}).strict();

// channel             request       reply
export const diskUsage = {
  /** What `docker system df -v` reports, and the data disk file's size on the host. */
  'diskUsage.get': call(Empty, DiskUsage),
  'diskUsage.prune': call(PruneRequest, Pruned),
};
