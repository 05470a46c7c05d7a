import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ContainerUsage } from '../api/containerDetails';
import type { ContainerChange } from '../api/containers';
import { followUsage } from './usage';

/** An engine whose containers use 10 more units of CPU each reading, and which counts the stats calls in flight. */
function fakeEngine(running: string[]) {
  const cpu = new Map<string, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  const docker = {
    listContainers: async () => running.map((Id) => ({ Id })),
    getContainer: (id: string) => ({
      stats: async (options: { stream: boolean; 'one-shot': boolean }) => {
        expect(options).toMatchObject({ stream: false, 'one-shot': true });
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((done) => setTimeout(done, 1));
        inFlight -= 1;
        if (id === 'gone') throw Object.assign(new Error('no such container'), { statusCode: 404 });
        const total = (cpu.get(id) ?? 0) + 10;
        cpu.set(id, total);
        return {
          cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: total * 10, online_cpus: 1 },
          precpu_stats: {},
          memory_stats: { usage: 2048, limit: 4096, stats: { inactive_file: 1024 } },
        };
      },
    }),
  } as unknown as Docker;
  const listeners = new Set<(change: ContainerChange) => void>();
  const follow = (listener: (change: ContainerChange) => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const change = (id: string, state: string | null) => {
    for (const listener of listeners) listener({ id, container: state ? ({ id, state } as ContainerChange['container']) : null });
  };
  return { docker, follow, change, listeners, mostInFlight: () => mostInFlight };
}

describe('usage for the containers table', () => {
  it('sends every running container in one batch a round, CPU once two readings compare, and follows starts and stops', async () => {
    const engine = fakeEngine(['a', 'b', 'gone']);
    const batches: ContainerUsage[][] = [];
    const abort = new AbortController();
    const done = followUsage(engine.docker, engine.follow, abort.signal, (batch) => batches.push(batch), 20);
    await expect.poll(() => batches.length).toBeGreaterThanOrEqual(2);
    const byId = (batch: ContainerUsage[]) => Object.fromEntries(batch.map((usage) => [usage.id, usage]));
    expect(byId(batches[0]!)).toEqual({
      a: { id: 'a', cpuPercent: null, memoryBytes: 1024, memoryLimitBytes: 4096 },
      b: { id: 'b', cpuPercent: null, memoryBytes: 1024, memoryLimitBytes: 4096 },
    });
    expect(byId(batches[1]!).a!.cpuPercent).toBe(10);
    engine.change('b', 'exited');
    engine.change('c', 'running');
    await expect.poll(() => Object.keys(byId(batches.at(-1)!)).sort()).toEqual(['a', 'c']);
    abort.abort();
    await done;
    expect(engine.listeners.size).toBe(0);
  });

  it('reads a thousand containers a few at a time', async () => {
    const engine = fakeEngine(Array.from({ length: 1000 }, (_, i) => `c${i}`));
    const abort = new AbortController();
    let batch: ContainerUsage[] = [];
    const done = followUsage(engine.docker, engine.follow, abort.signal, (usage) => {
      batch = usage;
      abort.abort();
    });
    await done;
    expect(batch).toHaveLength(1000);
    expect(engine.mostInFlight()).toBeLessThanOrEqual(4);
  });
});
