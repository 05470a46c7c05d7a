import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { WriteStream } from 'node:fs';
import type { Machine } from './machine';
import { loadArgs, loadMachine, plainPath, saveMachine } from './machineState';
import { qemuArgs, type MachineSpec } from './qemu';

/**
 * A memory snapshot of a guest held before its first start-specific step (berth-boot's hold):
 * restoring it replaces the kernel's boot, module loading and network set-up. It is valid only for the
 * very machine it was taken on, so its name hashes everything that shapes that machine.
 */
export interface Snapshot {
  file: string;
  dir: string;
  /** Starts every file name: the image, as a file name may hold it. */
  imageId: string;
}

/** The machine as the guest sees it: the command line without what differs per start and is not guest state. */
export function machineShape(spec: MachineSpec): string[] {
  return qemuArgs({ ...spec, sshPort: undefined, sshSocket: '-', qmpSocket: '-', pidFile: '-', dataDisk: '-', directDockerPort: undefined, publicKey: '', dataIsNew: false });
}

export function snapshotFor(dir: string, qemu: string, imageId: string, spec: MachineSpec): Snapshot {
  const binary = statSync(qemu);
  const hash = createHash('sha256')
    .update(JSON.stringify({ qemu, size: binary.size, mtime: binary.mtimeMs, shape: machineShape(spec), disk: statSync(spec.dataDisk).size }))
    .digest('hex')
    .slice(0, 16);
  // A BERTH_IMAGE id holds its folder's path: a file name needs it hashed.
  const prefix = /^[\w.-]+$/.test(imageId) ? imageId : createHash('sha256').update(imageId).digest('hex').slice(0, 16);
  return { dir, imageId: prefix, file: join(dir, `${prefix}-${hash}.vmstate`) };
}

/** The arguments that make QEMU start from the snapshot instead of booting, or null when it cannot. */
export function restoreArgs(snapshot: Snapshot): string[] | null {
  return existsSync(snapshot.file) && plainPath(snapshot.file) ? loadArgs(snapshot.file) : null;
}

/**
 * Saves a guest that holds, and lets it go on. Another start saving the same snapshot at once is
 * harmless: each writes its own file, the last rename wins.
 */
export async function saveSnapshot(qmpSocket: string, snapshot: Snapshot): Promise<void> {
  mkdirSync(snapshot.dir, { recursive: true, mode: 0o700 });
  await saveMachine(qmpSocket, snapshot.file, 'go-on');
  forgetOldSnapshots(snapshot);
}

/** Snapshots of older images are never restored again, and of this image only the few used last are kept. */
function forgetOldSnapshots(snapshot: Snapshot, keep = 3): void {
  const ours = (name: string): boolean => name.startsWith(`${snapshot.imageId}-`);
  const files = readdirSync(snapshot.dir).filter((name) => name.endsWith('.vmstate'));
  for (const name of files.filter((name) => !ours(name))) rmSync(join(snapshot.dir, name), { force: true });
  const recent = files
    .filter(ours)
    .map((name) => ({ path: join(snapshot.dir, name), used: statSync(join(snapshot.dir, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const { path } of recent.slice(keep)) rmSync(path, { force: true });
}

export function discardSnapshot(snapshot: Snapshot): void {
  rmSync(snapshot.file, { force: true });
}

/**
 * Starts QEMU from the snapshot, if there is one, and resolves once the guest runs again, holding; null
 * when there is no snapshot or it would not load, in which case it is discarded and the caller boots instead.
 */
export async function restoreMachine(
  qemu: string,
  spec: MachineSpec,
  snapshot: Snapshot,
  consoleLog: WriteStream,
  onLaunch: (machine: Machine) => void,
  log: (line: string) => void,
): Promise<Machine | null> {
  if (!restoreArgs(snapshot)) return null;
  try {
    const machine = await loadMachine(qemu, spec, snapshot.file, consoleLog, onLaunch, { pastStart: false });
    // Its time of last use: the snapshots used least recently are the ones forgotten.
    utimesSync(snapshot.file, new Date(), new Date());
    return machine;
  } catch (error) {
    log(`snapshot ${snapshot.file} not restored, booting instead: ${(error as Error).message}`);
    discardSnapshot(snapshot);
    return null;
  }
}
