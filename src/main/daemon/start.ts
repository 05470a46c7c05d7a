import { createWriteStream, existsSync, renameSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import type { RegistrySettings } from '../api/registry';
import { engineClient, waitForEngine } from '../engine/client';
import { provideCliPlugins } from '../engine/cliPlugins';
import { writeDockerContext } from '../engine/context';
import { imageCacheDir, type HomePaths } from '../home';
import { checkRegistrySettings, checkRegistrySize, dockerCertsDir, effectiveRegistrySettings, registryValues } from '../registry/guestSettings';
import type { NetworkMode, Settings } from '../settings/schema';
import { effectiveShares, type SharedFolders } from '../settings/shares';
import { effectiveNetwork, loadSettings } from '../settings/store';
import { ciphersFor } from '../tunnel/cipher';
import { createInspector } from '../tunnel/bindCheck';
import { SshLink } from '../tunnel/link';
import { HostSocket } from '../tunnel/socket';
import { candidates, VerdictStore, type Candidate } from '../vm/accelerator';
import type { GuestMessage } from '../vm/console';
import { ensureDataDisk } from '../vm/disk';
import { buildImage, locateImage, type LocatedImage } from '../vm/image';
import { ensureKeyPair, type KeyPair } from '../vm/keys';
import { Machine } from '../vm/machine';
import { adoptMachine, stopLeftoverMachine, type MachineRecord } from '../vm/leftover';
import { findQemu, startValues, type MachineSpec } from '../vm/qemu';
import { discardSnapshot, restoreMachine, saveSnapshot, snapshotFor, type Snapshot } from '../vm/snapshot';
import type { StepDef } from '../vm/steps';

/** What the start steps build up, one piece per step. */
export interface StartContext {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Aborted when a stop interrupts the start. */
  signal: AbortSignal;
  settings?: Settings;
  network?: NetworkMode;
  shares?: SharedFolders;
  /** The saved registry settings plus the docker CLI's certs.d, as the guest gets them at start. */
  registries?: RegistrySettings;
  qemu?: string;
  image?: LocatedImage;
  keys?: KeyPair;
  dataIsNew?: boolean;
  consoleLog?: WriteStream;
  machine?: Machine;
  acceleratorReason?: string;
  sshPort?: number;
  link?: SshLink;
  socket?: HostSocket;
  docker?: Docker;
  /** Only for benchmarks: the host port forwarded to a dockerd TCP listener in the guest. */
  directDockerPort?: number;
}

const MiB = 1024;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const GUEST_ERRORS: Record<string, { name: string; hint: (ctx: StartContext) => string }> = {
  'data-corrupt': {
    name: 'DataDiskCorrupt',
    hint: (ctx) =>
      `Berth left ${ctx.paths.dataDisk} exactly as it was. Keep a copy of it, then repair it with ` +
      `\`e2fsck -f ${ctx.paths.dataDisk}\` (e2fsprogs), or move it away to start with an empty disk.`,
  },
  'no-data-disk': { name: 'DataDiskMissing', hint: (ctx) => `Read ${ctx.paths.consoleLog}.` },
  'shares-failed': {
    name: 'ShareFailed',
    hint: (ctx) =>
      `Check the folders in the "shares" setting (${ctx.paths.settings}) or BERTH_SHARES, then start again. ` +
      `The guest's messages are in ${ctx.paths.consoleLog}.`,
  },
};

/** The error of a start whose guest kernel stopped by itself: worth one more boot. */
export const GUEST_RESET = 'GuestReset';

/** Waits for a guest message, failing as soon as the guest reports an error or QEMU exits. */
function guestSays<T extends GuestMessage>(
  ctx: StartContext,
  match: (message: GuestMessage) => message is T,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const machine = ctx.machine!;
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
          known?.hint(ctx) ?? `Read ${ctx.paths.consoleLog} for the guest's boot messages.`,
        );
      }),
    machine.exited.then((exit) => {
      // QEMU runs with -no-reboot and the kernel with panic=-1: a guest that crashes or resets
      // itself ends QEMU with status 0.
      if (exit.code === 0) {
        throw new BerthError(GUEST_RESET, 'The guest kernel stopped during start.', `Read ${ctx.paths.consoleLog}.`);
      }
      throw new BerthError(
        'VmExited',
        `QEMU exited during start (${exit.code ?? exit.signal}): ${exit.stderr.split('\n').pop() ?? ''}`,
        `Read ${ctx.paths.consoleLog}.`,
      );
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BerthError('GuestTimeout', `The guest did not report ${what} within ${timeoutMs / 1000} s.`, `Read ${ctx.paths.consoleLog}.`),
          ),
        timeoutMs,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Starts the guest from the snapshot, if there is one, and gives it this start's values; false (with
 * the snapshot discarded) when it would not load or the restored guest does not take its values.
 */
async function restoreAndGo(ctx: StartContext, spec: Omit<MachineSpec, 'accelerator'>, candidate: Candidate, snapshot: Snapshot): Promise<boolean> {
  const full = { ...spec, accelerator: candidate.name };
  const machine = await restoreMachine(ctx.qemu!, full, snapshot, ctx.consoleLog!, (launched) => (ctx.machine = launched), ctx.log);
  if (!machine) return false;
  ctx.machine = machine;
  ctx.acceleratorReason = candidate.why;
  machine.sendToGuest(startValues(full));
  try {
    await guestSays(ctx, (m): m is GuestMessage => m.kind === 'step' && m.name === 'config', 10_000, 'its start values');
    return true;
  } catch (error) {
    ctx.signal.throwIfAborted();
    ctx.log(`the restored guest failed (${(error as Error).message}); booting instead`);
    await machine.kill();
    discardSnapshot(snapshot);
    return false;
  }
}

export const bootSteps: StepDef<StartContext>[] = [
  {
    name: 'settings',
    label: 'Read settings',
    hint: (ctx) => `Check ${ctx.paths.settings}.`,
    async run(ctx) {
      ctx.settings = loadSettings(ctx.paths.settings);
      ctx.network = effectiveNetwork(ctx.settings, ctx.env);
      ctx.shares = effectiveShares(ctx.settings, ctx.env, ctx.paths.settings);
      checkRegistrySettings(ctx.settings.registries, `Correct "registries" in ${ctx.paths.settings}, then start again.`);
      ctx.registries = effectiveRegistrySettings(ctx.settings.registries, ctx.env, ctx.log);
      checkRegistrySize(ctx.registries, `Remove certificates from "registries" in ${ctx.paths.settings} or from ${dockerCertsDir(ctx.env)}, then start again.`);
    },
  },
  {
    name: 'qemu',
    label: 'Find QEMU',
    hint: () => 'Install QEMU (on Debian: sudo apt-get install qemu-system-x86), then start again.',
    async run(ctx) {
      ctx.qemu = findQemu(ctx.env);
      if (await stopLeftoverMachine(ctx.paths)) ctx.log('stopped a VM left by an earlier run');
    },
  },
  {
    name: 'image',
    label: 'Guest image',
    hint: (ctx) => `Run \`berth image build\` and read ${ctx.paths.imageBuildLog}.`,
    async run(ctx, detail) {
      const cache = imageCacheDir(ctx.env);
      ctx.image = locateImage(cache, ctx.env) ?? (await buildImage(cache, ctx.paths.imageBuildLog, detail));
      detail(`kernel ${ctx.image.manifest.kernel}, docker ${ctx.image.manifest.docker}`);
    },
  },
  {
    name: 'keys',
    label: 'SSH key pair',
    hint: (ctx) => `Check that ${ctx.paths.sshDir} is writable by you.`,
    async run(ctx, detail) {
      ctx.keys = ensureKeyPair(ctx.paths);
      if (ctx.keys.made) detail(ctx.keys.made);
    },
  },
  {
    name: 'disk',
    label: 'Data disk',
    hint: (ctx) => `Check the free space and permissions where ${ctx.paths.dataDisk} lives.`,
    async run(ctx, detail) {
      const disk = ensureDataDisk(ctx.paths.dataDisk, ctx.settings!.vm.diskGiB);
      ctx.dataIsNew = disk.isNew;
      if (disk.isNew) SshLink.forgetHostKey(ctx.paths.knownHost);
      detail(disk.isNew ? 'new, formatted by the guest' : 'existing');
    },
  },
  {
    name: 'accelerator',
    label: 'Boot the VM',
    hint: (ctx) => `Read ${ctx.paths.consoleLog} and ${ctx.paths.daemonLog}.`,
    async run(ctx, detail) {
      // Verdicts and snapshots describe this machine and QEMU, not one installation: they live beside the image cache.
      const beside = dirname(imageCacheDir(ctx.env));
      const verdicts = new VerdictStore(join(beside, 'accelerator.json'), VerdictStore.keyFor(ctx.qemu!));
      const { list } = candidates(ctx.env, verdicts.read());
      const settings = ctx.settings!;
      // The previous boot's console is kept beside it: it may hold why that VM stopped.
      if (existsSync(ctx.paths.consoleLog)) renameSync(ctx.paths.consoleLog, `${ctx.paths.consoleLog}.1`);
      ctx.consoleLog = createWriteStream(ctx.paths.consoleLog, { flags: 'w', mode: 0o600 });
      // A second way into the guest, over TCP, only for the tests that ask for it.
      ctx.sshPort = ctx.env.BERTH_TEST_SSH_TCP === '1' ? await freePort() : undefined;
      const spec = {
        image: ctx.image!,
        dataDisk: ctx.paths.dataDisk,
        dataIsNew: ctx.dataIsNew!,
        cpus: settings.vm.cpus,
        memoryMiB: settings.vm.memoryMiB,
        sshPort: ctx.sshPort,
        sshSocket: ctx.paths.sshSocket,
        network: ctx.network!,
        publicKey: ctx.keys!.publicKey,
        shares: ctx.shares!.paths,
        qmpSocket: ctx.paths.qmpSocket,
        pidFile: ctx.paths.qemuPid,
        directDockerPort: ctx.directDockerPort,
        registries: registryValues(ctx.registries!),
      };
      const useSnapshots = ctx.env.BERTH_SNAPSHOTS !== 'off';
      const snapshotOf = (accelerator: string): Snapshot => snapshotFor(join(beside, 'snapshots'), ctx.qemu!, ctx.image!.id, { ...spec, accelerator });
      if (useSnapshots && (await restoreAndGo(ctx, spec, list[0]!, snapshotOf(list[0]!.name)))) {
        detail(`${ctx.machine!.accelerator} (${ctx.acceleratorReason}), restored from a snapshot`);
        return;
      }
      const { machine, reason } = await Machine.bootFirst(
        ctx.qemu!,
        list,
        spec,
        ctx.consoleLog,
        (candidate, ok, why) => {
          if (ctx.signal.aborted) return;
          if (candidate.name !== 'tcg' && candidate.why !== 'BERTH_ACCEL') {
            verdicts.record(candidate.name, { ok, reason: why, at: new Date().toISOString() });
          }
        },
        (launched) => (ctx.machine = launched),
        ctx.signal,
      );
      ctx.machine = machine;
      ctx.acceleratorReason = reason;
      await guestSays(ctx, (m): m is Extract<GuestMessage, { kind: 'hold' }> => m.kind === 'hold', 60_000, 'the end of its boot');
      // The first start on this machine shape saves the held guest, so the next ones restore it.
      const snapshot = snapshotOf(machine.accelerator);
      if (useSnapshots && !existsSync(snapshot.file)) {
        const began = Date.now();
        await saveSnapshot(ctx.paths.qmpSocket, snapshot).then(
          () => ctx.log(`saved a snapshot of the booted guest in ${Date.now() - began} ms: ${snapshot.file}`),
          (error: Error) => ctx.log(`no snapshot saved: ${error.message}`),
        );
      }
      machine.sendToGuest(startValues({ ...spec, accelerator: machine.accelerator }));
      detail(`${machine.accelerator} (${reason})`);
    },
  },
  {
    name: 'data',
    label: 'Mount the data disk',
    hint: (ctx) => `Read ${ctx.paths.consoleLog} and ${ctx.paths.daemonLog}.`,
    async run(ctx, detail) {
      const disk = await guestSays(ctx, (m): m is Extract<GuestMessage, { kind: 'disk' }> => m.kind === 'disk', 60_000, 'its data disk');
      detail(`${Math.round(disk.freeKiB / MiB)} MiB free of ${Math.round(disk.totalKiB / MiB)} MiB`);
      const needed = Math.min(512 * MiB, disk.totalKiB * 0.05);
      if (disk.freeKiB < needed) {
        throw new BerthError(
          'DataDiskFull',
          `The data disk is full: ${Math.round(disk.freeKiB / MiB)} MiB free of ${Math.round(disk.totalKiB / MiB)} MiB.`,
          `Raise "diskGiB" under "vm" in ${ctx.paths.settings} (now ${ctx.settings!.vm.diskGiB}) and start again: ` +
            'Berth grows the disk and keeps everything on it.',
        );
      }
    },
  },
  {
    name: 'ssh',
    label: 'Connect over SSH',
    hint: (ctx) => `Read ${ctx.paths.consoleLog}: sshd may have failed in the guest.`,
    async run(ctx) {
      const machine = ctx.machine!;
      if (!machine.adopted) {
        await guestSays(ctx, (m): m is GuestMessage => (m.kind === 'step' && m.name === 'sshd') || m.kind === 'ready', 60_000, 'sshd');
      }
      ctx.link = new SshLink({
        to: { serialSocket: ctx.paths.sshSocket },
        privateKey: ctx.keys!.privateKey,
        ciphers: ciphersFor(machine.accelerator),
        knownHostFile: ctx.paths.knownHost,
        log: ctx.log,
      });
      await ctx.link.open(30_000);
    },
  },
  {
    name: 'docker',
    label: 'Docker API answers',
    hint: (ctx) => `Read ${ctx.paths.consoleLog}: dockerd may have failed in the guest.`,
    async run(ctx) {
      ctx.socket = new HostSocket(ctx.paths.dockerSocket, '/var/run/docker.sock', ctx.link!, ctx.log, createInspector(ctx.shares!, ctx.paths.dockerSocket));
      await ctx.socket.listen();
      ctx.docker = await engineClient(ctx.paths.dockerSocket);
      if (!ctx.machine!.adopted) {
        await guestSays(ctx, (m): m is Extract<GuestMessage, { kind: 'ready' }> => m.kind === 'ready', 120_000, 'dockerd ready');
      }
      await waitForEngine(ctx.docker, 30_000);
    },
  },
  {
    name: 'context',
    label: 'Docker context',
    hint: () => 'Check that DOCKER_CONFIG (or ~/.docker) is writable by you.',
    async run(ctx, detail) {
      detail(writeDockerContext(ctx.paths.dockerSocket, ctx.env));
    },
  },
  {
    name: 'plugins',
    label: 'Docker CLI plugins',
    hint: (ctx) => `Check that ${ctx.paths.cliPluginsDir} and DOCKER_CONFIG (or ~/.docker) are writable by you.`,
    async run(ctx, detail) {
      detail(provideCliPlugins(ctx.image!, ctx.paths.cliPluginsDir, ctx.env, ctx.log));
    },
  },
];

const byName = (name: string): StepDef<StartContext> => bootSteps.find((step) => step.name === name)!;

/**
 * The steps that take over the VM an earlier daemon left running, where the boot's steps would start
 * one: its guest is past its start, so nothing waits for the guest's messages, and the data disk is in
 * use. The VM keeps the network and shared folders it was started with; changed settings apply at the
 * next restart.
 */
export function adoptSteps(record: MachineRecord): StepDef<StartContext>[] {
  const adopt: StepDef<StartContext> = {
    name: 'adopt',
    label: 'Take over the running VM',
    hint: (ctx) => `Read ${ctx.paths.daemonLog}.`,
    async run(ctx, detail) {
      const machine = await adoptMachine(ctx.paths, record);
      if (!machine) throw new BerthError(NOT_ADOPTED, `QEMU ${record.pid} does not report its guest running.`, 'Berth boots a new VM instead.');
      ctx.machine = machine;
      ctx.acceleratorReason = record.acceleratorReason;
      ctx.network = record.network;
      ctx.shares = record.shares;
      detail(`QEMU ${record.pid}, running since ${record.startedAt}`);
    },
  };
  return [byName('settings'), byName('image'), byName('keys'), adopt, byName('ssh'), byName('docker'), byName('context'), byName('plugins')];
}

/** The error of a take-over that did not work out: the caller stops that VM and boots. */
export const NOT_ADOPTED = 'NotAdopted';
