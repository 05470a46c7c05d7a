import { closeSync, existsSync, ftruncateSync, openSync, readSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DataDiskFile } from '../api/diskUsage';

const GiB = 1024 ** 3;
const PROBE_BYTES = 1024 * 1024;

/** True while the first MiB is all zeros: nothing was ever written, so formatting loses nothing. */
export function isBlank(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(PROBE_BYTES);
    const read = readSync(fd, buffer, 0, PROBE_BYTES, 0);
    return buffer.subarray(0, read).every((byte) => byte === 0);
  } finally {
    closeSync(fd);
  }
}

function growTo(path: string, bytes: number, flags: string): void {
  const fd = openSync(path, flags, 0o600);
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * The data disk is a sparse raw file. Berth creates it empty and the guest formats it only while it
 * is blank; Berth only ever grows it (the guest grows the filesystem to match), never rewrites it.
 */
export function ensureDataDisk(path: string, sizeGiB: number): { isNew: boolean; sizeBytes: number } {
  const wanted = sizeGiB * GiB;
  if (!existsSync(path)) growTo(path, wanted, 'wx');
  else if (statSync(path).size < wanted) growTo(path, wanted, 'r+');
  return { isNew: isBlank(path), sizeBytes: statSync(path).size };
}

/** The data disk file's apparent size (the ceiling the guest sees) and what it takes on the host's disk. */
export async function dataDiskFile(path: string): Promise<DataDiskFile | null> {
  try {
    const { size, blocks } = await stat(path);
    return { path, apparentBytes: size, allocatedBytes: blocks * 512 };
  } catch {
    return null;
  }
}
