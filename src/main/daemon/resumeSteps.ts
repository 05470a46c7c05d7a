// The steps that resume a suspended engine: its VM is loaded from the saved state instead of booted, then
// the guest is woken (clock, data disk, shared folders) and what the suspend stopped is started again.
import { createWriteStream } from 'node:fs';
import type { Socket } from 'node:net';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import type { NetworkMode } from '../settings/schema';
import type { SharedFolders } from '../settings/shares';
import { runInGuest } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';
import { connectChardev, loadMachine } from '../vm/machineState';
import type { Qmp } from '../vm/qmp';
import type { Step } from '../vm/steps';
import { changedSince, dependencies, discardSuspended, suspendFiles, type SuspendedRecord } from '../vm/suspended';
import { machineSpec, SSH_STEP, type BootInput, type Booted } from './guestSteps';
import { freePort, type StartBase } from './startBase';
import { startAgain } from './suspend';

/** The error of a resume that cannot use the saved state: the caller boots instead. */
export const NOT_RESUMED = 'NotResumed';

type ResumeInput = Omit<BootInput, 'dataIsNew'>;

const ago = (iso: string): string => {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
};

/**
 * Loads the saved VM. With `session`, the SSH session the suspend kept, the host is connected to the serial
 * port before the guest runs again: the guest then sees its host as never gone, and its sshd goes on with
 * that session over `serial`. Without it (the daemon that suspended has exited), the guest sees its host
 * leave as it runs, and the next sshd waits for a new connection.
 */
export function resumeStep(record: SuspendedRecord, session: SshLink | null): Step<ResumeInput, Booted & { network: NetworkMode; shares: SharedFolders; serial: Socket | null }> {
  return {
    name: 'resume',
    label: 'Resume the VM',
    hint: (made) => `Read ${made.paths.consoleLog} and ${made.paths.daemonLog}.`,
    async run(made, detail) {
      const { paths, env, held } = made;
      const files = suspendFiles(paths.home);
      const spec = {
        ...machineSpec(made, { dataIsNew: false, sshPort: env.BERTH_TEST_SSH_TCP === '1' ? await freePort() : undefined }),
        accelerator: record.accelerator,
      };
      const now = dependencies({ qemu: made.qemu, imageId: made.image.id, spec, registries: spec.registries ?? '', diskGiB: made.settings.vm.diskGiB });
      const changed = changedSince(record, now, paths.dataDisk);
      if (changed.length) {
        throw new BerthError(NOT_RESUMED, `the suspended VM depends on ${changed.join(', ')}, which changed since it was suspended.`, 'Berth boots the VM instead.');
      }
      // The guest's console goes on where it left off.
      const consoleLog = createWriteStream(paths.consoleLog, { flags: 'a', mode: 0o600 });
      held.consoleLog = consoleLog;
      let serial: Socket | null = null;
      const beforeRun = session ? async (qmp: Qmp) => void (serial = await connectChardev(qmp, 'ssh', paths.sshSocket)) : undefined;
      const machine = await loadMachine(made.qemu, spec, files.state, consoleLog, (launched) => (held.machine = launched), { pastStart: true, beforeRun });
      // A saved state is used once: from here on the guest runs on the data disk again.
      discardSuspended(files);
      detail(`${machine.accelerator}, suspended ${ago(record.savedAt)} ago`);
      return { machine, acceleratorReason: record.acceleratorReason, network: record.network, shares: record.shares, serial };
    },
  };
}

/** How long the kept session has to answer once the guest runs: sshd answers at once, or was not kept. */
const KEPT_ANSWER_MS = 3_000;

/** The SSH step of a resume that kept its session: it goes on over the new serial socket, or a new one is opened. */
export function keptSessionStep(link: SshLink): Step<StartBase & { serial: Socket | null }, { link: SshLink }> {
  return {
    ...SSH_STEP,
    async run({ serial, log }, detail) {
      if (serial) {
        link.thaw(serial);
        if (await link.answers(KEPT_ANSWER_MS)) {
          detail('the session kept through the suspend');
          return { link };
        }
      }
      log('the SSH session kept through the suspend did not answer: connecting anew');
      await link.renew(30_000);
      detail('a new session (the kept one did not answer)');
      return { link };
    },
  };
}

export const wakeStep: Step<StartBase & { link: SshLink; shares: SharedFolders }, void> = {
  name: 'wake',
  label: 'Wake the guest',
  hint: (made) => `Read ${made.paths.daemonLog}.`,
  async run({ link, shares }, detail) {
    // The time goes with the command: the guest's clock stood still while it was saved.
    const now = (Date.now() / 1000).toFixed(3);
    await runInGuest(link, `berth-suspend resume ${now}`, { hint: 'The guest could not thaw its data disk or mount its shared folders.', timeoutMs: 30_000 });
    detail(`clock set, data disk thawed${shares.paths.length ? `, ${shares.paths.length} shared folder(s) mounted` : ''}`);
  },
};

export function restartStep(record: SuspendedRecord): Step<StartBase & { docker: Docker }, void> {
  return {
    name: 'restart',
    label: 'Start the containers the suspend stopped',
    hint: (made) => `Read ${made.paths.daemonLog}.`,
    async run({ docker, log }, detail) {
      if (!record.restart.length) return detail('none: every container ran on');
      const started = await startAgain(docker, record.restart, log);
      detail(`${started.join(', ') || 'none'} (they bind a shared folder)`);
    },
  };
}
