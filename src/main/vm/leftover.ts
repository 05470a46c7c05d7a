import { readFileSync, rmSync } from 'node:fs';
import { writeFileDurably } from '../durableFile';
import { z } from 'zod';
import { isAlive, readPid, waitGone } from '../pidfile';
import { NetworkMode } from '../settings/schema';
import { Machine } from './machine';
import { Qmp } from './qmp';

/**
 * What a daemon keeps of the VM it runs, once its engine runs: a later daemon (after a crash, a kill or
 * an update of Berth) takes the same VM over from it instead of booting another, so containers run on.
 * The shape the guest was started with comes from here, not from the settings, which may have changed since.
 */
export const MachineRecord = z.object({
  pid: z.number().int().positive(),
  accelerator: z.string(),
  acceleratorReason: z.string(),
  network: NetworkMode,
  shares: z.object({ paths: z.array(z.string()), origin: z.enum(['setting', 'env']) }),
  startedAt: z.string(),
});
export type MachineRecord = z.infer<typeof MachineRecord>;

export interface MachineFiles {
  machineRecord: string;
  qemuPid: string;
  qmpSocket: string;
}

export function recordMachine(file: string, record: MachineRecord): void {
  writeFileDurably(file, `${JSON.stringify(record)}\n`, 0o600);
}

export function forgetMachine(file: string): void {
  rmSync(file, { force: true });
}

function readRecord(file: string): MachineRecord | null {
  try {
    return MachineRecord.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** Whether `pid` is a QEMU of this home: its command line names this home's QMP socket. */
export function isOurQemu(pid: number, qmpSocket: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(qmpSocket));
  } catch {
    // No /proc (macOS): the pid file and QMP's answer below are what there is.
    return process.platform !== 'linux';
  }
}

/** The running VM an earlier daemon left, when its record, its pid file, its process and QEMU itself all agree. */
export function adoptable(files: MachineFiles): MachineRecord | null {
  const record = readRecord(files.machineRecord);
  if (!record || readPid(files.qemuPid) !== record.pid) return null;
  return isOurQemu(record.pid, files.qmpSocket) ? record : null;
}

const QmpStatus = z.object({ status: z.string() });

/**
 * Takes over the VM `record` describes, if QEMU says its guest runs (not paused, not migrating); null
 * otherwise, and the caller stops it and boots as usual.
 */
export async function adoptMachine(files: MachineFiles, record: MachineRecord): Promise<Machine | null> {
  let state: unknown;
  try {
    const qmp = await Qmp.connect(files.qmpSocket);
    try {
      state = await qmp.execute('query-status');
    } finally {
      qmp.close();
    }
  } catch {
    return null;
  }
  if (QmpStatus.safeParse(state).data?.status !== 'running') return null;
  return Machine.adopt(record.pid, record.accelerator, files.qmpSocket);
}

/**
 * A QEMU left running by a Berth that crashed mid-start, or one that cannot be taken over, still holds
 * the data disk: power it down before anything else touches the disk.
 */
export async function stopLeftoverMachine(files: MachineFiles): Promise<boolean> {
  const pid = readPid(files.qemuPid);
  if (!pid) return false;
  const ours = isOurQemu(pid, files.qmpSocket);
  if (ours) {
    try {
      const qmp = await Qmp.connect(files.qmpSocket);
      await qmp.execute('system_powerdown');
      qmp.close();
    } catch {
      // no QMP: fall through to signals
    }
    if (!(await waitGone(pid, 20_000))) process.kill(pid, 'SIGKILL');
  }
  rmSync(files.qemuPid, { force: true });
  forgetMachine(files.machineRecord);
  return ours;
}
