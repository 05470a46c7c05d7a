import { BerthError } from '../api/errors';
import type { StartStep } from '../api/engine';
import type { MachineRecord } from '../vm/leftover';
import type { SshLink } from '../tunnel/link';
import type { Plan } from '../vm/steps';
import { discardSuspended, suspendFiles, type SuspendedRecord } from '../vm/suspended';
import { GUEST_RESET } from './guestSteps';
import type { StartBase, Started } from './startBase';

/** How the engine starts: the steps that boot a VM, take over one an earlier daemon left running, or resume a suspended one. */
export interface StartPlans {
  boot: Plan<StartBase, Started>;
  adopt(record: MachineRecord): Plan<StartBase, Started>;
  resume(record: SuspendedRecord, session: SshLink | null): Plan<StartBase, Started>;
}

/** `session`: the SSH session the suspend kept, while the daemon that suspended still holds it. */
export type StartFrom = { kind: 'boot' } | { kind: 'adopt'; record: MachineRecord } | { kind: 'resume'; record: SuspendedRecord; session: SshLink | null };

interface Run {
  base: StartBase;
  onSteps: (steps: StartStep[]) => void;
  /** Closes what the failed attempt opened, before the next one. */
  teardown: () => Promise<void>;
}

/**
 * Starts the engine the way `from` says, falling back to a boot when a take-over or a resume does not work
 * out (the boot stops what they left), and booting once more when the guest kernel died during its boot.
 */
export async function startFrom(plans: StartPlans, from: StartFrom, { base, onSteps, teardown }: Run): Promise<Started> {
  const { log, signal } = base;
  const boot = async (): Promise<Started> => {
    try {
      return await plans.boot.run(base, onSteps, log, signal);
    } catch (error) {
      // A guest kernel that dies while booting (QEMU's TCG can crash it, rarely) gets one more boot.
      if (!(error instanceof BerthError && error.name === GUEST_RESET) || signal.aborted) throw error;
      log(`${error.message} Booting it once more.`);
      await teardown();
      return plans.boot.run(base, onSteps, log, signal);
    }
  };
  if (from.kind === 'boot') return boot();
  const plan = from.kind === 'adopt' ? plans.adopt(from.record) : plans.resume(from.record, from.session);
  try {
    return await plan.run(base, onSteps, log, signal);
  } catch (error) {
    if (signal.aborted) throw error;
    // A VM Berth cannot reach is of no use: the boot stops it first. A resumed one is ended at once, its
    // data disk as the suspend left it (frozen, so consistent); a taken-over one loses its containers.
    const what = from.kind === 'adopt' ? 'take over the running VM' : 'resume the suspended VM';
    log(`could not ${what} (${(error as Error).message}); booting a new one`);
    if (from.kind === 'resume') {
      await base.held.machine?.kill();
      // Refused or failed, the saved state is not tried again.
      discardSuspended(suspendFiles(base.paths.home));
    }
    await teardown();
    return boot();
  }
}
