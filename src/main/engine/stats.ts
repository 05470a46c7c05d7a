import type Docker from 'dockerode';
import type { StatsSample } from '../api/containerDetails';
import { requireRunning } from './containers';
import { eachJsonLine, untilEnded, type EngineStream } from './streaming';

export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** The parts of the Engine API's stats answer that Berth reads; a stopped or new container leaves many out. */
export interface EngineStats {
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op?: string; value?: number }[] | null };
  pids_stats?: { current?: number };
}

/**
 * CPU % the way `docker stats` computes it: the container's share of the whole machine's CPU time
 * between two readings, times the CPUs online. Null when there is no earlier reading to compare with.
 */
export function cpuPercent(now: CpuStats | undefined, before: CpuStats | undefined): number | null {
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  if (!before?.system_cpu_usage || systemDelta <= 0) return null;
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory in use as `docker stats` shows it: without the inactive page cache (cgroup v1 or v2 name), which the kernel can drop. */
export function memoryUsed(memory: EngineStats['memory_stats']): number {
  const usage = memory?.usage ?? 0;
  const inactive = memory?.stats?.total_inactive_file ?? memory?.stats?.inactive_file;
  return inactive !== undefined && inactive < usage ? usage - inactive : usage;
}

export function networkBytes(networks: EngineStats['networks']): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const network of Object.values(networks ?? {})) {
    rx += network.rx_bytes ?? 0;
    tx += network.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** Bytes read and written by the container's block devices; the engine spells the operation Read or read. */
export function blockBytes(blkio: EngineStats['blkio_stats']): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const entry of blkio?.io_service_bytes_recursive ?? []) {
    const op = entry.op?.[0]?.toLowerCase();
    if (op === 'r') read += entry.value ?? 0;
    else if (op === 'w') write += entry.value ?? 0;
  }
  return { read, write };
}

/** Bytes per second between two counter values; a counter that went back (the container restarted) gives 0. */
function perSecond(now: number, before: number | undefined, seconds: number): number {
  return before === undefined || seconds <= 0 || now < before ? 0 : (now - before) / seconds;
}

/** One reading as the Stats tab shows it; `previous` is the reading before, for the rates. */
export function toSample(stats: EngineStats, previous: StatsSample | null): StatsSample {
  const read = Date.parse(stats.read ?? '');
  const time = Number.isFinite(read) && read > 0 ? read : Date.now();
  const seconds = previous ? (time - previous.time) / 1000 : 0;
  const net = networkBytes(stats.networks);
  const block = blockBytes(stats.blkio_stats);
  return {
    time,
    cpuPercent: cpuPercent(stats.cpu_stats, stats.precpu_stats) ?? 0,
    memory: { usedBytes: memoryUsed(stats.memory_stats), limitBytes: stats.memory_stats?.limit ?? 0 },
    network: {
      rxBytes: net.rx,
      txBytes: net.tx,
      rxPerSecond: perSecond(net.rx, previous?.network.rxBytes, seconds),
      txPerSecond: perSecond(net.tx, previous?.network.txBytes, seconds),
    },
    disk: {
      readBytes: block.read,
      writeBytes: block.write,
      readPerSecond: perSecond(block.read, previous?.disk.readBytes, seconds),
      writePerSecond: perSecond(block.write, previous?.disk.writeBytes, seconds),
    },
    pids: stats.pids_stats?.current ?? 0,
  };
}

/** Follows a running container's stats (the engine sends one reading a second) until it stops or `signal` aborts. */
export async function followStats(docker: Docker, id: string, signal: AbortSignal, send: (sample: StatsSample) => void): Promise<void> {
  await requireRunning(docker, id, 'see its live usage');
  const raw = (await docker.getContainer(id).stats({ stream: true, abortSignal: signal } as { stream: true })) as EngineStream;
  let previous: StatsSample | null = null;
  eachJsonLine(raw, (stats) => {
    previous = toSample(stats as EngineStats, previous);
    send(previous);
  });
  await untilEnded(raw, signal);
}
