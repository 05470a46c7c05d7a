// What `docker system df -v` reports, reckoned from the engine's /system/df as the docker CLI reckons it
// (cli/command/system/df.go and cli/command/formatter/disk_usage.go), so the window and the CLI agree.
import type Docker from 'dockerode';
import type { BuildCacheUsage, ContainerUsage, DiskUsage, ImageUsage, PruneRequest, Pruned, VolumeUsage } from '../api/diskUsage';
import { BerthError } from '../api/errors';
import { refusal } from './client';
import { containerName } from './containers';
import { pruneImages } from './images/manage';
import { pruneVolumes } from './volumes';

/** The parts of the engine's /system/df answer the figures come from (API 1.25 and later). */
export interface SystemDf {
  LayersSize?: number;
  Images?: Array<{ Id: string; RepoTags?: string[] | null; Created: number; Size: number; SharedSize: number; Containers: number }> | null;
  Containers?: Array<Docker.ContainerInfo & { SizeRw?: number }> | null;
  Volumes?: Array<{ Name: string; UsageData?: { Size: number; RefCount: number } | null }> | null;
  BuildCache?: Array<{ ID: string; Type: string; Size: number; CreatedAt: string; LastUsedAt?: string | null; UsageCount: number; InUse: boolean; Shared: boolean }> | null;
}

/** Whole percent, rounded down, as the CLI's integer division gives it; none of nothing. */
const percentOf = (part: number, whole: number): number | null => (whole > 0 ? Math.trunc((part * 100) / whole) : null);

const known = (value: number): number | null => (value === -1 ? null : value);

/** Repository and tag of an image's first reference, or `<none>` for each, as `docker system df -v` names it. */
function named(tags: string[] | null | undefined): { repository: string; tag: string } {
  const first = tags?.[0];
  if (!first || first === '<none>:<none>') return { repository: '<none>', tag: '<none>' };
  const colon = first.lastIndexOf(':');
  return colon > first.lastIndexOf('/') ? { repository: first.slice(0, colon), tag: first.slice(colon + 1) } : { repository: first, tag: '<none>' };
}

function images(df: SystemDf): DiskUsage['images'] {
  const list = df.Images ?? [];
  const sizeBytes = df.LayersSize ?? 0;
  // What containers hold: each used image's own layers, not those it shares with others.
  const used = list.filter((image) => image.Containers !== 0 && image.Size !== -1 && image.SharedSize !== -1).reduce((sum, image) => sum + image.Size - image.SharedSize, 0);
  const reclaimableBytes = sizeBytes - used;
  const items: ImageUsage[] = list.map((image) => ({
    id: image.Id,
    ...named(image.RepoTags),
    created: image.Created,
    sizeBytes: image.Size,
    sharedBytes: known(image.SharedSize),
    uniqueBytes: image.SharedSize === -1 ? null : image.Size - image.SharedSize,
    containers: known(image.Containers),
  }));
  return { total: list.length, active: list.filter((image) => image.Containers > 0).length, sizeBytes, reclaimableBytes, reclaimablePercent: percentOf(reclaimableBytes, sizeBytes), items };
}

/** Running, paused or restarting: a container whose writable layer a prune leaves. */
const isActive = (state: string): boolean => ['running', 'paused', 'restarting'].some((word) => state.includes(word));

function containers(df: SystemDf): DiskUsage['containers'] {
  const list = df.Containers ?? [];
  const sizeBytes = list.reduce((sum, container) => sum + (container.SizeRw ?? 0), 0);
  const reclaimableBytes = list.filter((container) => !isActive(container.State)).reduce((sum, container) => sum + (container.SizeRw ?? 0), 0);
  const items: ContainerUsage[] = list.map((container) => ({
    id: container.Id,
    name: containerName(container),
    image: container.Image,
    command: container.Command,
    localVolumes: (container.Mounts ?? []).filter((mount) => mount.Driver === 'local').length,
    sizeBytes: container.SizeRw ?? 0,
    created: container.Created,
    state: container.State,
    status: container.Status,
  }));
  return { total: list.length, active: list.filter((container) => isActive(container.State)).length, sizeBytes, reclaimableBytes, reclaimablePercent: percentOf(reclaimableBytes, sizeBytes), items };
}

function volumes(df: SystemDf): DiskUsage['volumes'] {
  const list = df.Volumes ?? [];
  // A size of -1: the engine did not measure it (another driver's volume); it counts nowhere.
  const measured = list.filter((volume) => (volume.UsageData?.Size ?? -1) !== -1);
  const sizeBytes = measured.reduce((sum, volume) => sum + volume.UsageData!.Size, 0);
  const reclaimableBytes = measured.filter((volume) => volume.UsageData!.RefCount === 0).reduce((sum, volume) => sum + volume.UsageData!.Size, 0);
  const items: VolumeUsage[] = list.map((volume) => ({ name: volume.Name, links: Math.max(0, volume.UsageData?.RefCount ?? 0), sizeBytes: known(volume.UsageData?.Size ?? -1) }));
  return {
    total: list.length,
    active: list.filter((volume) => (volume.UsageData?.RefCount ?? 0) > 0).length,
    sizeBytes,
    reclaimableBytes,
    reclaimablePercent: percentOf(reclaimableBytes, sizeBytes),
    items,
  };
}

function buildCache(df: SystemDf): DiskUsage['buildCache'] {
  const list = df.BuildCache ?? [];
  // Shared records are counted once, by the records that own them.
  const sizeBytes = list.filter((record) => !record.Shared).reduce((sum, record) => sum + record.Size, 0);
  const inUse = list.filter((record) => record.InUse && !record.Shared).reduce((sum, record) => sum + record.Size, 0);
  const items: BuildCacheUsage[] = list
    .map((record) => ({
      id: record.ID,
      type: record.Type,
      sizeBytes: record.Size,
      created: record.CreatedAt,
      lastUsed: record.LastUsedAt ?? null,
      usageCount: record.UsageCount,
      inUse: record.InUse,
      shared: record.Shared,
    }))
    .sort((a, b) => (b.lastUsed ?? b.created).localeCompare(a.lastUsed ?? a.created));
  return { total: list.length, active: list.filter((record) => record.InUse).length, sizeBytes, reclaimableBytes: sizeBytes - inUse, reclaimablePercent: null, items };
}

/** The figures of every kind from one /system/df answer. */
export function reckonDiskUsage(df: SystemDf): Omit<DiskUsage, 'dataDisk'> {
  return { images: images(df), containers: containers(df), volumes: volumes(df), buildCache: buildCache(df) };
}

/** Measuring every volume can take a while on a busy engine; a hung one is said to be so. */
const DF_MS = 60_000;

export async function readDiskUsage(docker: Docker): Promise<Omit<DiskUsage, 'dataDisk'>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BerthError('EngineSlow', `The engine did not measure its disk usage within ${DF_MS / 1000} s.`, 'The VM may be overloaded: try again, or Restart the engine from Troubleshoot.')),
      DF_MS,
    );
  });
  try {
    const df: SystemDf = await Promise.race([docker.df(), late]);
    return reckonDiskUsage(df);
  } finally {
    clearTimeout(timer);
  }
}

function pruneRefused(what: string, error: unknown): BerthError {
  const { status, said } = refusal(error);
  if (status === 409) return new BerthError('PruneRunning', 'Another prune is already running.', 'Wait for it to finish, then prune again.');
  return new BerthError('EngineRefused', `Cannot prune ${what}: ${said}`, 'The engine refused; its message above says why.');
}

interface BuildPruneAnswer {
  CachesDeleted?: string[] | null;
  SpaceReclaimed?: number;
}

const isObject = (data: unknown): data is BuildPruneAnswer => typeof data === 'object' && data !== null;

/**
 * Every build cache record nothing uses (as `docker builder prune --all`): what the reclaimable figure counts.
 * dockerode's pruneBuilder sends no query, so `all` goes through its modem, as its other prunes send theirs.
 */
function pruneBuildCache(docker: Docker): Promise<BuildPruneAnswer> {
  return new Promise((resolve, reject) => {
    docker.modem.dial({ path: '/build/prune?', method: 'POST', options: { all: true }, statusCodes: { 200: true, 500: 'server error' } }, (error, data) => {
      if (error) reject(error);
      else resolve(isObject(data) ? data : {});
    });
  });
}

/** Removes what `request` names and says how much went. */
export async function pruneKind(docker: Docker, request: PruneRequest): Promise<Pruned> {
  switch (request.kind) {
    case 'images': {
      const done = await pruneImages(docker, request.all);
      return { removed: done.deleted, reclaimedBytes: done.reclaimedBytes };
    }
    case 'volumes': {
      const done = await pruneVolumes(docker);
      return { removed: done.removed.length, reclaimedBytes: done.reclaimedBytes };
    }
    case 'containers': {
      const done = await docker.pruneContainers().catch((error: unknown) => {
        throw pruneRefused('containers', error);
      });
      return { removed: done.ContainersDeleted?.length ?? 0, reclaimedBytes: done.SpaceReclaimed ?? 0 };
    }
    case 'buildCache': {
      const done = await pruneBuildCache(docker).catch((error: unknown) => {
        throw pruneRefused('the build cache', error);
      });
      return { removed: done.CachesDeleted?.length ?? 0, reclaimedBytes: done.SpaceReclaimed ?? 0 };
    }
  }
}
