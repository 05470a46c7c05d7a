import type Docker from 'dockerode';
import type { ContainerUsage } from '../api/containerDetails';
import type { ContainerChange } from '../api/containers';
import { cpuPercent, memoryUsed, type CpuStats, type EngineStats } from './stats';

/** How many containers are read at once: bounded, so a thousand running containers cost a few connections, not a thousand. */
const AT_ONCE = 4;

/** The containers that run now: listed once, then kept current by container changes (a change seen first wins over the list). */
async function runningSet(docker: Docker, follow: (listener: (change: ContainerChange) => void) => () => void): Promise<{ ids: Set<string>; stop(): void }> {
  const ids = new Set<string>();
  const changed = new Set<string>();
  const stop = follow(({ id, container }) => {
    changed.add(id);
    if (container?.state === 'running') ids.add(id);
    else ids.delete(id);
  });
  try {
    for (const info of await docker.listContainers({ filters: { status: ['running'] } })) {
      if (!changed.has(info.Id)) ids.add(info.Id);
    }
  } catch (error) {
    stop();
    throw error;
  }
  return { ids, stop };
}

/** One container's figures from a one-shot reading; CPU compares with the reading before, kept in `before`. */
async function readUsage(docker: Docker, id: string, before: Map<string, CpuStats>, signal: AbortSignal): Promise<ContainerUsage | null> {
  try {
    const options = { stream: false, 'one-shot': true, abortSignal: signal } as { stream: false; 'one-shot': true };
    const stats = (await docker.getContainer(id).stats(options)) as unknown as EngineStats;
    const cpu = cpuPercent(stats.cpu_stats, before.get(id));
    if (stats.cpu_stats) before.set(id, stats.cpu_stats);
    return { id, cpuPercent: cpu, memoryBytes: memoryUsed(stats.memory_stats), memoryLimitBytes: stats.memory_stats?.limit ?? 0 };
  } catch {
    // It stopped or went away meanwhile: the next change takes it out of the set.
    return null;
  }
}

async function readAll(docker: Docker, ids: string[], before: Map<string, CpuStats>, signal: AbortSignal): Promise<ContainerUsage[]> {
  const found: ContainerUsage[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length && !signal.aborted) {
      const usage = await readUsage(docker, ids[next++]!, before, signal);
      if (usage) found.push(usage);
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, ids.length) }, worker));
  return found;
}

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      done();
    }
    signal.addEventListener('abort', finish, { once: true });
  });

/**
 * Every running container's CPU and memory, for the containers table: each round reads each running
 * container once and sends the round as one batch, a round starting every `intervalMs` at the most.
 * It goes on until `signal` aborts.
 */
export async function followUsage(
  docker: Docker,
  follow: (listener: (change: ContainerChange) => void) => () => void,
  signal: AbortSignal,
  send: (usage: ContainerUsage[]) => void,
  intervalMs = 2000,
): Promise<void> {
  const running = await runningSet(docker, follow);
  const before = new Map<string, CpuStats>();
  try {
    while (!signal.aborted) {
      const began = Date.now();
      const usage = await readAll(docker, [...running.ids], before, signal);
      for (const id of before.keys()) if (!running.ids.has(id)) before.delete(id);
      if (signal.aborted) break;
      send(usage);
      await pause(Math.max(0, intervalMs - (Date.now() - began)), signal);
    }
  } finally {
    running.stop();
  }
}
