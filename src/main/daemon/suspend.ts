// Suspending the engine: the whole VM saved to a file and QEMU ended, its containers frozen, not stopped.
import { statfsSync } from 'node:fs';
import type Docker from 'dockerode';
import { BerthError } from '../api/errors';
import { keepAnswers } from '../engine/keptAnswers';
import { isWithin } from '../settings/shares';
import { runInGuest } from '../tunnel/guestCommand';
import { saveBlockers, saveMachine } from '../vm/machineState';
import { findQemu } from '../vm/qemu';
import {
  dependencies,
  diskIdentity,
  prepareSuspendDir,
  suspendFiles,
  writeSuspended,
  type SuspendedRecord,
} from '../vm/suspended';
import { machineSpec } from './guestSteps';
import type { StartBase, Started } from './startBase';

export type SuspendedBy = SuspendedRecord['by'];

/** How long the engine may take over one list before the suspend is given up (stopping has its own 10 s, and this). */
const DOCKER_ANSWER_MS = 30_000;

interface Named {
  id: string;
  name: string;
}

/**
 * Running containers that bind a shared folder, or a folder that holds one: their mounts keep a 9p export
 * in use in the guest, and QEMU cannot save a guest with one mounted.
 */
async function shareBinders(docker: Docker, shares: string[]): Promise<Named[]> {
  if (!shares.length) return [];
  const running = await docker.listContainers({ abortSignal: AbortSignal.timeout(DOCKER_ANSWER_MS) });
  const overlaps = (source: string): boolean => shares.some((share) => isWithin(source, share) || isWithin(share, source));
  return running
    .filter((container) => container.Mounts.some((mount) => mount.Type === 'bind' && overlaps(mount.Source)))
    .map((container) => ({ id: container.Id, name: (container.Names[0] ?? container.Id.slice(0, 12)).replace(/^\//, '') }));
}

/** Starts again what the suspend stopped: after a resume, or when the suspend did not happen. */
export async function startAgain(docker: Docker, containers: Named[], log: (line: string) => void): Promise<string[]> {
  const started: string[] = [];
  await Promise.all(
    containers.map((container) =>
      docker
        .getContainer(container.id)
        .start()
        .then(
          () => void started.push(container.name),
          (error: Error) => log(`could not start ${container.name} again: ${error.message}`),
        ),
    ),
  );
  return started;
}

/** The state file takes at most the guest's memory: the suspend is refused before it starts when that does not fit. */
function checkRoom(dir: string, memoryMiB: number): void {
  const { bavail, bsize } = statfsSync(dir);
  const freeMiB = (bavail * bsize) / 2 ** 20;
  if (freeMiB < memoryMiB + 256) {
    throw new BerthError(
      'SuspendNoSpace',
      `Suspending needs up to ${memoryMiB} MiB free in ${dir}, which has ${Math.floor(freeMiB)} MiB.`,
      'Free some space there, or stop the engine instead (`berth stop`).',
    );
  }
}

const refused = (why: string, hint: string): BerthError => new BerthError('SuspendFailed', `The engine was not suspended: ${why}`, hint);

/**
 * Suspends a running engine: containers that bind a shared folder are stopped (they are started again on
 * resume), the lists are kept for the Docker socket to answer meanwhile, the guest unmounts its shares and
 * freezes its data disk, and QEMU saves the VM and ends. When anything fails before QEMU ends, the guest
 * goes on as before and the error says why. `registries`: the registry lines the guest holds now.
 */
export async function suspendEngine(base: StartBase, started: Started, by: SuspendedBy, registries: string | null): Promise<SuspendedRecord> {
  const { paths, log, env } = base;
  const { docker, link, machine, settings } = started;
  const files = suspendFiles(paths.home);
  prepareSuspendDir(files);
  checkRoom(files.dir, settings.vm.memoryMiB);
  const spec = { ...machineSpec({ ...base, ...started }, { dataIsNew: false }), accelerator: machine.accelerator };
  // The registry settings the guest holds now, changes since its start included; unknown ones never match, and the resume boots.
  const dependsOn = dependencies({ qemu: findQemu(env), imageId: started.image.id, spec, registries: registries ?? '(unknown)', diskGiB: settings.vm.diskGiB });
  const restart = await shareBinders(docker, started.shares.paths);
  if (restart.length) log(`stopping for the suspend, to start again on resume (they bind a shared folder): ${restart.map((c) => c.name).join(', ')}`);
  const hint = `Stop the engine instead (\`berth stop\`) if this goes on; ${paths.daemonLog} has the details.`;
  let kept: SuspendedRecord['kept'];
  try {
    await Promise.all(restart.map((container) => docker.getContainer(container.id).stop({ t: 10, abortSignal: AbortSignal.timeout(10_000 + DOCKER_ANSWER_MS) })));
    kept = await keepAnswers(paths.dockerSocket);
    await runInGuest(link, 'berth-suspend prepare', { hint, timeoutMs: 60_000 });
  } catch (error) {
    await startAgain(docker, restart, log);
    throw refused((error as Error).message, hint);
  }
  try {
    const blockers = await saveBlockers(paths.qmpSocket);
    if (blockers.length) throw refused(`QEMU cannot save the VM now: ${blockers.join('; ')}`, 'Stop what uses the shared folders in the VM, or stop the engine instead (`berth stop`).');
    // The SSH session is saved with the guest, mid-session: the resume goes on with it, with no new handshake.
    await link.freeze();
    await saveMachine(paths.qmpSocket, files.state, 'quit');
  } catch (error) {
    link.thaw();
    await runInGuest(link, 'berth-suspend abort', { hint, timeoutMs: 60_000 }).catch((failure: Error) => log(`after a failed suspend: ${failure.message}`));
    await startAgain(docker, restart, log);
    throw error instanceof BerthError ? error : refused((error as Error).message, hint);
  }
  // QEMU ends once it has saved; one that lingers is ended, the state being on disk already.
  const lingering = setTimeout(() => void machine.kill(), 10_000);
  await machine.exited;
  clearTimeout(lingering);
  const record: SuspendedRecord = {
    savedAt: new Date().toISOString(),
    by,
    accelerator: machine.accelerator,
    acceleratorReason: started.acceleratorReason,
    network: started.network,
    shares: started.shares,
    dependsOn,
    disk: diskIdentity(paths.dataDisk) ?? { size: 0, mtimeMs: 0, ino: 0 },
    restart,
    kept,
  };
  writeSuspended(files, record);
  return record;
}

