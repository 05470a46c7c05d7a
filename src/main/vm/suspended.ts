import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../durableFile';
import { KeptAnswers } from '../engine/keptAnswers';
import { NetworkMode } from '../settings/schema';
import type { MachineSpec } from './qemu';
import { machineShape } from './snapshot';

/**
 * A suspended engine: the whole VM saved to one file, and beside it this record of what the saved guest
 * depends on. The state is used once (removed as soon as QEMU has loaded it) and refused when anything it
 * depends on has changed since, in which case the engine boots instead.
 */
export const SuspendedRecord = z.object({
  savedAt: z.string(),
  by: z.enum(['user', 'resource-saver']),
  accelerator: z.string(),
  acceleratorReason: z.string(),
  network: NetworkMode,
  shares: z.object({ paths: z.array(z.string()), origin: z.enum(['setting', 'env']) }),
  /** Each thing the saved guest depends on, hashed: a resume compares them one by one, to say which changed. */
  dependsOn: z.record(z.string(), z.string()),
  /** The data disk file as QEMU left it: a file changed since would not match the guest's view of it. */
  disk: z.object({ size: z.number(), mtimeMs: z.number(), ino: z.number() }),
  /** Containers stopped because they bind a shared folder (a mounted share blocks the save): started again on resume. */
  restart: z.array(z.object({ id: z.string(), name: z.string() })),
  /** The Docker API's list answers as the suspend found them, answered while the engine is suspended. */
  kept: KeptAnswers,
});
export type SuspendedRecord = z.infer<typeof SuspendedRecord>;

export interface SuspendFiles {
  dir: string;
  state: string;
  record: string;
}

export const suspendFiles = (home: string): SuspendFiles => {
  const dir = join(home, 'suspended');
  return { dir, state: join(dir, 'vm.state'), record: join(dir, 'record.json') };
};

/** What a saved guest depends on beyond its own state: the QEMU binary, the image, the machine's shape, what the guest got at its start. */
export interface Dependencies {
  qemu: string;
  imageId: string;
  spec: MachineSpec;
  /** The registry settings the guest was given (they live in its memory), and the disk size asked for. */
  registries: string;
  diskGiB: number;
}

const hash = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

export function dependencies({ qemu, imageId, spec, registries, diskGiB }: Dependencies): Record<string, string> {
  const binary = statSync(qemu);
  return {
    QEMU: hash({ qemu, size: binary.size, mtime: binary.mtimeMs }),
    'the guest image': hash(imageId),
    "the machine's shape (CPUs, memory, network, shared folders)": hash(machineShape(spec)),
    'the registry settings': hash(registries),
    "the engine's settings (daemon.json, proxy, swap, DNS)": hash([spec.engine ?? '', spec.swapMiB, spec.dns]),
    'the data disk size setting': hash(diskGiB),
  };
}

/** What differs between the saved guest's dependencies and today's, in words; empty when nothing does. */
export function changedSince(record: SuspendedRecord, now: Record<string, string>, dataDisk: string): string[] {
  const changed = Object.keys({ ...record.dependsOn, ...now }).filter((what) => record.dependsOn[what] !== now[what]);
  const disk = diskIdentity(dataDisk);
  if (!disk || disk.size !== record.disk.size || disk.mtimeMs !== record.disk.mtimeMs || disk.ino !== record.disk.ino) changed.push('the data disk file');
  return changed;
}

export function diskIdentity(file: string): SuspendedRecord['disk'] | null {
  try {
    const { size, mtimeMs, ino } = statSync(file);
    return { size, mtimeMs, ino };
  } catch {
    return null;
  }
}

export function writeSuspended(files: SuspendFiles, record: SuspendedRecord): void {
  writeFileDurably(files.record, `${JSON.stringify(record)}\n`, 0o600);
}

export function prepareSuspendDir(files: SuspendFiles): void {
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
}

/** The suspended engine's record, when a saved state is there to go with it; a record without one is stale. */
export function readSuspended(files: SuspendFiles): SuspendedRecord | null {
  if (!existsSync(files.state)) return null;
  try {
    return SuspendedRecord.parse(JSON.parse(readFileSync(files.record, 'utf8')));
  } catch {
    return null;
  }
}

/** The saved state is used once: gone once loaded, or when it is refused or given up. */
export function discardSuspended(files: SuspendFiles): void {
  rmSync(files.state, { force: true });
  rmSync(files.record, { force: true });
}
