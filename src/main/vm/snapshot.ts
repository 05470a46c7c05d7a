import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { WriteStream } from 'node:fs';
import { Machine } from './machine';
import { qemuArgs, type MachineSpec } from './qemu';
import { Qmp } from './qmp';

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
function machineShape(spec: MachineSpec): string[] {
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

/** QEMU reads the state back through a shell command; paths that need quoting are not worth the risk. */
const plainPath = (path: string): boolean => /^[\w./-]+$/.test(path);

/** The arguments that make QEMU start from the snapshot instead of booting, or null when it cannot. */
export function restoreArgs(snapshot: Snapshot): string[] | null {
  return existsSync(snapshot.file) && plainPath(snapshot.file) ? ['-incoming', `exec:cat ${snapshot.file}`] : null;
}

async function poll<T>(what: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, label: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`${label} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves once a QEMU started with `restoreArgs` has loaded the state and runs the guest. */
export async function waitRestored(qmpSocket: string, timeoutMs = 20_000): Promise<void> {
  const qmp = await poll(() => Qmp.connect(qmpSocket, 500).catch(() => null), (value) => value !== null, timeoutMs, 'the QMP socket');
  try {
    const status = await poll(
      () => qmp!.execute('query-status') as Promise<{ status: string }>,
      ({ status }) => status !== 'inmigrate',
      timeoutMs,
      'loading the snapshot',
    );
    // The guest was paused while it was saved, and comes back paused.
    if (status.status === 'paused') await qmp!.execute('cont');
    else if (status.status !== 'running') throw new Error(`the restored guest is ${status.status}, not running`);
  } finally {
    qmp!.close();
  }
}

/**
 * Saves a guest that holds: pauses it, writes its state to the snapshot file, and lets it go on.
 * Another start saving the same snapshot at once is harmless: each writes its own file, the last rename wins.
 */
export async function saveSnapshot(qmpSocket: string, snapshot: Snapshot): Promise<void> {
  mkdirSync(snapshot.dir, { recursive: true, mode: 0o700 });
  const partial = `${snapshot.file}.${process.pid}.partial`;
  if (!plainPath(partial)) throw new Error(`cannot save a snapshot at ${partial}: the path needs quoting`);
  const qmp = await Qmp.connect(qmpSocket);
  try {
    await qmp.execute('stop');
    try {
      await qmp.execute('migrate', { uri: `exec:umask 077; cat > ${partial}` });
      const { status, 'error-desc': error } = await poll(
        () => qmp.execute('query-migrate') as Promise<{ status: string; 'error-desc'?: string }>,
        ({ status }) => !['setup', 'active', 'device', 'pre-switchover'].includes(status),
        60_000,
        'saving the snapshot',
      );
      if (status !== 'completed') throw new Error(`saving the snapshot ${status}: ${error ?? 'no reason given'}`);
      renameSync(partial, snapshot.file);
    } finally {
      await qmp.execute('cont');
    }
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    qmp.close();
  }
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
 * Starts QEMU from the snapshot and resolves once the guest runs again, holding; null when there is
 * no snapshot or it would not load, in which case it is discarded and the caller boots instead.
 */
export async function restoreMachine(
  qemu: string,
  spec: MachineSpec,
  snapshot: Snapshot,
  consoleLog: WriteStream,
  onLaunch: (machine: Machine) => void,
  log: (line: string) => void,
): Promise<Machine | null> {
  const extra = restoreArgs(snapshot);
  if (!extra) return null;
  const machine = Machine.launch(qemu, spec.accelerator, spec, consoleLog, extra);
  onLaunch(machine);
  try {
    await Promise.race([
      waitRestored(spec.qmpSocket),
      machine.exited.then((exit) => {
        throw new Error(`QEMU exited (${exit.code ?? exit.signal}): ${exit.stderr.split('\n').pop() ?? ''}`);
      }),
    ]);
    // Its time of last use: the snapshots used least recently are the ones forgotten.
    utimesSync(snapshot.file, new Date(), new Date());
    return machine;
  } catch (error) {
    log(`snapshot ${snapshot.file} not restored, booting instead: ${(error as Error).message}`);
    await machine.kill();
    discardSnapshot(snapshot);
    return null;
  }
}
