// The start steps that meet the guest: boot (or restore) it, wait for its data disk, connect over SSH,
// reach dockerd; or take over a guest an earlier daemon left running.
import { createWriteStream, existsSync, renameSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import type { RegistrySettings } from '../api/registry';
import { engineClient, waitForEngine } from '../engine/client';
import { imageCacheDir, snapshotsDir, type HomePaths } from '../home';
import { engineLines } from '../settings/engineConfig';
import { registryValues } from '../registry/guestSettings';
import type { NetworkMode, Settings } from '../settings/schema';
import type { SharedFolders } from '../settings/shares';
import { createInspector } from '../tunnel/bindCheck';
import { ciphersFor } from '../tunnel/cipher';
import { SshLink } from '../tunnel/link';
import { HostSocket } from '../tunnel/socket';
import { candidates, VerdictStore, type Candidate } from '../vm/accelerator';
import type { GuestMessage } from '../vm/console';
import type { LocatedImage } from '../vm/image';
import type { KeyPair } from '../vm/keys';
import { adoptMachine, type MachineRecord } from '../vm/leftover';
import { Machine, type GuestMachine } from '../vm/machine';
import { startValues, type MachineSpec } from '../vm/qemu';
import { discardSnapshot, restoreMachine, saveSnapshot, snapshotFor, type Snapshot } from '../vm/snapshot';
import type { Step } from '../vm/steps';
import { freePort, type StartBase } from './startBase';

const MiB = 1024;

const GUEST_ERRORS: Record<string, { name: string; hint: (paths: HomePaths) => string }> = {
  'data-corrupt': {
    name: 'DataDiskCorrupt',
    hint: (paths) =>
      `Berth left ${paths.dataDisk} exactly as it was. Keep a copy of it, then repair it with ` +
      `\`e2fsck -f ${paths.dataDisk}\` (e2fsprogs), or move it away to start with an empty disk.`,
  },
  'no-data-disk': { name: 'DataDiskMissing', hint: (paths) => `Read ${paths.consoleLog}.` },
  'shares-failed': {
    name: 'ShareFailed',
    hint: (paths) =>
      `Check the folders in the "shares" setting (${paths.settings}) or BERTH_SHARES, then start again. ` +
      `The guest's messages are in ${paths.consoleLog}.`,
  },
};

/** The error of a start whose guest kernel stopped by itself: worth one more boot. */
export const GUEST_RESET = 'GuestReset';

/** Waits for a guest message, failing as soon as the guest reports an error or QEMU exits. */
function guestSays<T extends GuestMessage>(machine: GuestMachine, paths: HomePaths, match: (message: GuestMessage) => message is T, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    machine.console.first(match),
    machine.console
      .first((m): m is Extract<GuestMessage, { kind: 'error' }> => m.kind === 'error')
      .then((error) => {
        const known = GUEST_ERRORS[error.code];
        throw new BerthError(
          known?.name ?? 'GuestFailed',
          `The guest reported ${error.code}: ${error.message}`,
          known?.hint(paths) ?? `Read ${paths.consoleLog} for the guest's boot messages.`,
        );
      }),
    machine.exited.then((exit) => {
      // QEMU runs with -no-reboot and the kernel with panic=-1: a guest that crashes or resets
      // itself ends QEMU with status 0.
      if (exit.code === 0) {
        throw new BerthError(GUEST_RESET, 'The guest kernel stopped during start.', `Read ${paths.consoleLog}.`);
      }
      throw new BerthError('VmExited', `QEMU exited during start (${exit.code ?? exit.signal}): ${exit.stderr.split('\n').pop() ?? ''}`, `Read ${paths.consoleLog}.`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BerthError('GuestTimeout', `The guest did not report ${what} within ${timeoutMs / 1000} s.`, `Read ${paths.consoleLog}.`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** What the boot needs from the steps before it. */
export interface BootInput extends StartBase {
  settings: Settings;
  network: NetworkMode;
  shares: SharedFolders;
  registries: RegistrySettings;
  qemu: string;
  image: LocatedImage;
  keys: KeyPair;
  dataIsNew: boolean;
}

/** A running guest, and why it runs on the accelerator it does. */
export interface Booted {
  machine: GuestMachine;
  acceleratorReason: string;
}

/**
 * Starts the guest from the snapshot, if there is one, and gives it this start's values; null (with the
 * snapshot discarded) when it would not load or the restored guest does not take its values.
 */
async function restoreAndGo(made: BootInput, spec: Omit<MachineSpec, 'accelerator'>, candidate: Candidate, snapshot: Snapshot, consoleLog: WriteStream): Promise<Booted | null> {
  const full = { ...spec, accelerator: candidate.name };
  const held = made.held;
  const machine = await restoreMachine(made.qemu, full, snapshot, consoleLog, (launched) => (held.machine = launched), made.log);
  if (!machine) return null;
  machine.sendToGuest(startValues(full));
  try {
    await guestSays(machine, made.paths, (m): m is GuestMessage => m.kind === 'step' && m.name === 'config', 10_000, 'its start values');
    return { machine, acceleratorReason: candidate.why };
  } catch (error) {
    made.signal.throwIfAborted();
    made.log(`the restored guest failed (${(error as Error).message}); booting instead`);
    await machine.kill();
    discardSnapshot(snapshot);
    return null;
  }
}

/** What shapes the VM of a start, from what the steps before the boot (or the resume) made. */
export type SpecInput = Pick<BootInput, 'paths' | 'settings' | 'image' | 'network' | 'shares' | 'registries' | 'keys' | 'directDockerPort'>;

export function machineSpec(made: SpecInput, start: { dataIsNew: boolean; sshPort?: number }): Omit<MachineSpec, 'accelerator'> {
  const { paths, settings } = made;
  return {
    image: made.image,
    dataDisk: paths.dataDisk,
    dataIsNew: start.dataIsNew,
    cpus: settings.vm.cpus,
    memoryMiB: settings.vm.memoryMiB,
    sshPort: start.sshPort,
    sshSocket: paths.sshSocket,
    network: made.network,
    publicKey: made.keys.publicKey,
    shares: made.shares.paths,
    qmpSocket: paths.qmpSocket,
    pidFile: paths.qemuPid,
    directDockerPort: made.directDockerPort,
    registries: registryValues(made.registries),
    engine: engineLines(settings),
    swapMiB: settings.vm.swapMiB,
    dns: settings.network.dns,
  };
}

export const bootStep: Step<BootInput, Booted> = {
  name: 'accelerator',
  label: 'Boot the VM',
  hint: (made) => `Read ${made.paths.consoleLog} and ${made.paths.daemonLog}.`,
  async run(made, detail) {
    const { paths, env, held } = made;
    // Verdicts and snapshots describe this machine and QEMU, not one installation: they live beside the image cache.
    const beside = dirname(imageCacheDir(env));
    const verdicts = new VerdictStore(join(beside, 'accelerator.json'), VerdictStore.keyFor(made.qemu));
    const { list } = candidates(env, verdicts.read(), made.image.arch);
    // The previous boot's console is kept beside it: it may hold why that VM stopped.
    if (existsSync(paths.consoleLog)) renameSync(paths.consoleLog, `${paths.consoleLog}.1`);
    const consoleLog = createWriteStream(paths.consoleLog, { flags: 'w', mode: 0o600 });
    held.consoleLog = consoleLog;
    const spec = machineSpec(made, {
      dataIsNew: made.dataIsNew,
      // A second way into the guest, over TCP, only for the tests that ask for it.
      sshPort: env.BERTH_TEST_SSH_TCP === '1' ? await freePort() : undefined,
    });
    const useSnapshots = env.BERTH_SNAPSHOTS !== 'off';
    const snapshotOf = (accelerator: string): Snapshot => snapshotFor(snapshotsDir(env), made.qemu, made.image.id, { ...spec, accelerator });
    const restored = useSnapshots ? await restoreAndGo(made, spec, list[0]!, snapshotOf(list[0]!.name), consoleLog) : null;
    if (restored) {
      held.machine = restored.machine;
      detail(`${restored.machine.accelerator} (${restored.acceleratorReason}), restored from a snapshot`);
      return restored;
    }
    const { machine, reason } = await Machine.bootFirst(
      made.qemu,
      list,
      spec,
      consoleLog,
      (candidate, ok, why) => {
        if (made.signal.aborted) return;
        if (candidate.name !== 'tcg' && candidate.why !== 'BERTH_ACCEL') {
          verdicts.record(candidate.name, { ok, reason: why, at: new Date().toISOString() });
        }
      },
      (launched) => (held.machine = launched),
      made.signal,
    );
    await guestSays(machine, paths, (m): m is Extract<GuestMessage, { kind: 'hold' }> => m.kind === 'hold', 60_000, 'the end of its boot');
    // The first start on this machine shape saves the held guest, so the next ones restore it.
    const snapshot = snapshotOf(machine.accelerator);
    if (useSnapshots && !existsSync(snapshot.file)) {
      const began = Date.now();
      await saveSnapshot(paths.qmpSocket, snapshot).then(
        () => made.log(`saved a snapshot of the booted guest in ${Date.now() - began} ms: ${snapshot.file}`),
        (error: Error) => made.log(`no snapshot saved: ${error.message}`),
      );
    }
    machine.sendToGuest(startValues({ ...spec, accelerator: machine.accelerator }));
    detail(`${machine.accelerator} (${reason})`);
    return { machine, acceleratorReason: reason };
  },
};

export const dataStep: Step<StartBase & { machine: GuestMachine; settings: Settings }, void> = {
  name: 'data',
  label: 'Mount the data disk',
  hint: (made) => `Read ${made.paths.consoleLog} and ${made.paths.daemonLog}.`,
  async run(made, detail) {
    const disk = await guestSays(made.machine, made.paths, (m): m is Extract<GuestMessage, { kind: 'disk' }> => m.kind === 'disk', 60_000, 'its data disk');
    detail(`${Math.round(disk.freeKiB / MiB)} MiB free of ${Math.round(disk.totalKiB / MiB)} MiB`);
    const needed = Math.min(512 * MiB, disk.totalKiB * 0.05);
    if (disk.freeKiB < needed) {
      throw new BerthError(
        'DataDiskFull',
        `The data disk is full: ${Math.round(disk.freeKiB / MiB)} MiB free of ${Math.round(disk.totalKiB / MiB)} MiB.`,
        `Raise "diskGiB" under "vm" in ${made.paths.settings} (now ${made.settings.vm.diskGiB}) and start again: ` +
          'Berth grows the disk and keeps everything on it.',
      );
    }
  },
};

/** The SSH step as the boot log names it, whether it connects anew or goes on with a session a suspend kept. */
export const SSH_STEP = {
  name: 'ssh',
  label: 'Connect over SSH',
  hint: (made: StartBase) => `Read ${made.paths.consoleLog}: sshd may have failed in the guest.`,
};

export const sshStep: Step<StartBase & { machine: GuestMachine; keys: KeyPair }, { link: SshLink }> = {
  ...SSH_STEP,
  async run(made) {
    const { machine, paths } = made;
    if (!machine.pastStart) {
      await guestSays(machine, paths, (m): m is GuestMessage => (m.kind === 'step' && m.name === 'sshd') || m.kind === 'ready', 60_000, 'sshd');
    }
    const link = new SshLink({
      to: { serialSocket: paths.sshSocket },
      privateKey: made.keys.privateKey,
      ciphers: ciphersFor(machine.accelerator),
      knownHostFile: paths.knownHost,
      log: made.log,
      // Only for benchmarks: the idle-cost baseline, a keepalive every 200 ms whether the link is busy or not.
      nudge: made.env.BERTH_BENCH_SERIAL_NUDGE === 'always' ? 'always' : 'adaptive',
    });
    made.held.link = link;
    await link.open(30_000);
    return { link };
  },
};

export const dockerStep: Step<StartBase & { machine: GuestMachine; link: SshLink; shares: SharedFolders }, { socket: HostSocket; docker: Docker }> = {
  name: 'docker',
  label: 'Docker API answers',
  hint: (made) => `Read ${made.paths.consoleLog}: dockerd may have failed in the guest.`,
  async run(made) {
    const { paths } = made;
    const socket = new HostSocket(paths.dockerSocket, '/var/run/docker.sock', made.link, made.log, createInspector(made.shares, paths.dockerSocket));
    made.held.socket = socket;
    await socket.listen((await made.handover?.()) ?? undefined);
    const docker = await engineClient(paths.dockerSocket);
    if (!made.machine.pastStart) {
      await guestSays(made.machine, paths, (m): m is Extract<GuestMessage, { kind: 'ready' }> => m.kind === 'ready', 120_000, 'dockerd ready');
    }
    await waitForEngine(docker, 30_000);
    return { socket, docker };
  },
};

/** The error of a take-over that did not work out: the caller stops that VM and boots. */
export const NOT_ADOPTED = 'NotAdopted';

/**
 * Takes over the VM `record` describes. It keeps the network and shared folders it was started with;
 * changed settings apply at the next restart.
 */
export function adoptStep(record: MachineRecord): Step<StartBase, Booted & { network: NetworkMode; shares: SharedFolders }> {
  return {
    name: 'adopt',
    label: 'Take over the running VM',
    hint: (made) => `Read ${made.paths.daemonLog}.`,
    async run(made, detail) {
      const machine = await adoptMachine(made.paths, record);
      if (!machine) throw new BerthError(NOT_ADOPTED, `QEMU ${record.pid} does not report its guest running.`, 'Berth boots a new VM instead.');
      made.held.machine = machine;
      detail(`QEMU ${record.pid}, running since ${record.startedAt}`);
      return { machine, acceleratorReason: record.acceleratorReason, network: record.network, shares: record.shares };
    },
  };
}
