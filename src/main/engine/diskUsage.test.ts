import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { reckonDiskUsage, type SystemDf } from './diskUsage';

const container = (id: string, state: string, sizeRw: number, mounts: Array<{ Driver?: string }> = []) =>
  ({ Id: id, Names: [`/${id}`], Image: 'busybox', Command: 'sh', Created: 1, State: state, Status: state, SizeRw: sizeRw, Mounts: mounts }) as unknown as Docker.ContainerInfo & { SizeRw: number };

describe('reckonDiskUsage', () => {
  it('counts images as the docker CLI does: what used images hold of their own is not reclaimable', () => {
    const usage = reckonDiskUsage({
      LayersSize: 1000,
      Images: [
        { Id: 'sha256:a', RepoTags: ['web:1'], Created: 1, Size: 600, SharedSize: 100, Containers: 2 },
        { Id: 'sha256:b', RepoTags: ['<none>:<none>'], Created: 2, Size: 300, SharedSize: 100, Containers: 0 },
        // The engine could not tell what it shares: left out of what is in use, as the CLI leaves it.
        { Id: 'sha256:c', RepoTags: ['registry:5000/team/tool:v2'], Created: 3, Size: 200, SharedSize: -1, Containers: 1 },
      ],
    });
    expect(usage.images).toMatchObject({ total: 3, active: 2, sizeBytes: 1000, reclaimableBytes: 500, reclaimablePercent: 50 });
    expect(usage.images.items.map(({ repository, tag, uniqueBytes, sharedBytes }) => ({ repository, tag, uniqueBytes, sharedBytes }))).toEqual([
      { repository: 'web', tag: '1', uniqueBytes: 500, sharedBytes: 100 },
      { repository: '<none>', tag: '<none>', uniqueBytes: 200, sharedBytes: 100 },
      { repository: 'registry:5000/team/tool', tag: 'v2', uniqueBytes: null, sharedBytes: null },
    ]);
  });

  it('counts containers that are not running, paused or restarting as reclaimable, with a percent rounded down', () => {
    const usage = reckonDiskUsage({
      Containers: [container('a', 'running', 100), container('b', 'exited', 200, [{ Driver: 'local' }, { Driver: 'local' }, {}]), container('c', 'paused', 0), container('d', 'created', 1)],
    });
    expect(usage.containers).toMatchObject({ total: 4, active: 2, sizeBytes: 301, reclaimableBytes: 201, reclaimablePercent: 66 });
    expect(usage.containers.items.find((item) => item.id === 'b')).toMatchObject({ name: 'b', localVolumes: 2, sizeBytes: 200 });
  });

  it('counts volumes no container mounts as reclaimable, and leaves unmeasured ones out of the sizes', () => {
    const usage = reckonDiskUsage({
      Volumes: [
        { Name: 'used', UsageData: { Size: 300, RefCount: 1 } },
        { Name: 'free', UsageData: { Size: 100, RefCount: 0 } },
        { Name: 'remote', UsageData: { Size: -1, RefCount: -1 } },
      ],
    });
    expect(usage.volumes).toMatchObject({ total: 3, active: 1, sizeBytes: 400, reclaimableBytes: 100, reclaimablePercent: 25 });
    expect(usage.volumes.items).toContainEqual({ name: 'remote', links: 0, sizeBytes: null });
  });

  it('counts shared build cache once and what a build uses as not reclaimable, with no percent', () => {
    const record = (ID: string, Size: number, InUse: boolean, Shared: boolean, LastUsedAt: string | null) => ({ ID, Type: 'regular', Size, CreatedAt: '2024-01-01T00:00:00Z', LastUsedAt, UsageCount: 1, InUse, Shared });
    const df: SystemDf = {
      BuildCache: [record('old', 50, false, false, '2024-01-02T00:00:00Z'), record('shared', 70, false, true, null), record('busy', 30, true, false, '2024-01-03T00:00:00Z')],
    };
    const usage = reckonDiskUsage(df);
    expect(usage.buildCache).toMatchObject({ total: 3, active: 1, sizeBytes: 80, reclaimableBytes: 50, reclaimablePercent: null });
    expect(usage.buildCache.items.map((item) => item.id)).toEqual(['busy', 'old', 'shared']);
  });

  it('reports an empty engine as nothing, with no percent of nothing', () => {
    const usage = reckonDiskUsage({ LayersSize: 0, Images: [], Containers: null, Volumes: [], BuildCache: null });
    for (const kind of [usage.images, usage.containers, usage.volumes, usage.buildCache]) {
      expect(kind).toEqual({ total: 0, active: 0, sizeBytes: 0, reclaimableBytes: 0, reclaimablePercent: null, items: [] });
    }
  });
});
