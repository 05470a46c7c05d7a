import { describe, expect, it } from 'vitest';
import { blockBytes, cpuPercent, memoryUsed, toSample, type EngineStats } from './stats';

const reading = (at: string, cpu: number, system: number, extra: Partial<EngineStats> = {}): EngineStats => ({
  read: at,
  cpu_stats: { cpu_usage: { total_usage: cpu }, system_cpu_usage: system, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: cpu - 50 }, system_cpu_usage: system - 1000 },
  memory_stats: { usage: 100 * 1024 * 1024, limit: 1024 * 1024 * 1024, stats: { inactive_file: 20 * 1024 * 1024 } },
  networks: { eth0: { rx_bytes: 1000, tx_bytes: 500 }, eth1: { rx_bytes: 24, tx_bytes: 12 } },
  blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'Write', value: 8192 }, { op: 'sync', value: 1 }] },
  pids_stats: { current: 3 },
  ...extra,
});

describe('container stats', () => {
  it('computes CPU % as docker stats does: share of the machine between readings, times the CPUs online', () => {
    expect(cpuPercent({ cpu_usage: { total_usage: 150 }, system_cpu_usage: 2000, online_cpus: 2 }, { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 })).toBe(10);
    // Older engines leave online_cpus out: the per-CPU list counts them.
    expect(cpuPercent({ cpu_usage: { total_usage: 150, percpu_usage: [1, 1, 1, 1] }, system_cpu_usage: 2000 }, { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 })).toBe(20);
    expect(cpuPercent({ cpu_usage: { total_usage: 100 }, system_cpu_usage: 2000, online_cpus: 2 }, { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 })).toBe(0);
    // No reading before (the engine's first, or a one-shot's empty precpu): nothing to compare with.
    expect(cpuPercent({ cpu_usage: { total_usage: 100 }, system_cpu_usage: 2000 }, undefined)).toBeNull();
    expect(cpuPercent({ cpu_usage: { total_usage: 100 }, system_cpu_usage: 2000 }, { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 })).toBeNull();
  });

  it('counts memory without the inactive page cache, under either cgroup version', () => {
    expect(memoryUsed({ usage: 100, stats: { inactive_file: 30 } })).toBe(70);
    expect(memoryUsed({ usage: 100, stats: { total_inactive_file: 40 } })).toBe(60);
    expect(memoryUsed({ usage: 100, stats: { inactive_file: 300 } })).toBe(100);
    expect(memoryUsed(undefined)).toBe(0);
  });

  it('adds block reads and writes whatever case the engine spells them in', () => {
    expect(blockBytes({ io_service_bytes_recursive: [{ op: 'Read', value: 1 }, { op: 'read', value: 2 }, { op: 'write', value: 5 }, { op: 'Total', value: 8 }] })).toEqual({ read: 3, write: 5 });
    expect(blockBytes({ io_service_bytes_recursive: null })).toEqual({ read: 0, write: 0 });
  });

  it('turns readings into samples with rates per second since the reading before', () => {
    const first = toSample(reading('2024-05-01T10:00:00.000000000Z', 150, 2000), null);
    expect(first).toMatchObject({
      time: Date.parse('2024-05-01T10:00:00Z'),
      cpuPercent: 10,
      memory: { usedBytes: 80 * 1024 * 1024, limitBytes: 1024 * 1024 * 1024 },
      network: { rxBytes: 1024, txBytes: 512, rxPerSecond: 0, txPerSecond: 0 },
      disk: { readBytes: 4096, writeBytes: 8192, readPerSecond: 0 },
      pids: 3,
    });
    const second = toSample(reading('2024-05-01T10:00:02Z', 250, 3000, { networks: { eth0: { rx_bytes: 3048, tx_bytes: 512 } } }), first);
    expect(second.network).toEqual({ rxBytes: 3048, txBytes: 512, rxPerSecond: 1012, txPerSecond: 0 });
    // A restart resets the counters: no negative rate.
    const restarted = toSample(reading('2024-05-01T10:00:03Z', 300, 4000, { networks: {} }), second);
    expect(restarted.network.rxPerSecond).toBe(0);
  });
});
