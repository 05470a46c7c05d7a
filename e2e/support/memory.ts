import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a QEMU process holds in host memory: its whole resident size, and the resident part of its
 * largest mapping, the guest's RAM (under emulation the rest is mostly QEMU's cache of translated code).
 */
export function qemuMemoryMiB(pid: number): { resident: number; guestRam: number } {
  let size = 0;
  let largest = { size: 0, rssKiB: 0 };
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) size = Number(BigInt(`0x${range[2]}`) - BigInt(`0x${range[1]}`));
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && size > largest.size) largest = { size, rssKiB: Number(rss[1]) };
  }
  const resident = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { resident: Number(resident?.[1] ?? 0) / 1024, guestRam: largest.rssKiB / 1024 };
}

/** What the data disk file of the instance at `home` takes on the host's disk (not its apparent size, which only grows), in MiB. */
export const dataDiskAllocatedMiB = (home: string): number => (statSync(join(home, 'data.img')).blocks * 512) / 2 ** 20;
