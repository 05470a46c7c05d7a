import { EventEmitter } from 'node:events';
import type Docker from 'dockerode';
import type { ContainerChange } from '../api/containers';
import type { NetworkSummary } from '../api/networks';
import type { PluginSummary } from '../api/plugins';
import type { ImageSummary } from '../api/images';
import type { VolumeSummary } from '../api/volumes';
import type { EngineState, EngineStatus, StartStep } from '../api/engine';
import { toWire, type WireError } from '../api/errors';
import { lifecycleErrors } from './lifecycleErrors';
import { engineNotRunning } from '../engine/client';
import type { HomePaths } from '../home';
import type { Exit } from '../vm/machine';
import type { SshLink } from '../tunnel/link';
import { adoptable, recordMachine } from '../vm/leftover';
import { discardSuspended, readSuspended, suspendFiles, type SuspendedRecord } from '../vm/suspended';
import { followEngine, type Following } from './following';
import { engineStatus } from './status';
import { closeHeld, type StartBase, type Started } from './startBase';
import { startFrom, type StartFrom, type StartPlans } from './startFrom';
import { suspendEngine, type SuspendedBy } from './suspend';
import { Suspension } from './suspension';
import { canMove } from './transitions';

/** The engine's lifecycle: stopped, starting, running, suspended, stopping, error. The VM belongs to it. */
export class EngineLifecycle extends EventEmitter<{
  changed: [EngineStatus];
  containers: [ContainerChange];
  images: [ImageSummary[]];
  volumes: [VolumeSummary[]];
  networks: [NetworkSummary[]];
  plugins: [PluginSummary[]];
}> {
  private state: EngineState = 'stopped';
  private steps: StartStep[] = [];
  private error: WireError | null = null;
  private startMs: number | null = null;
  private versions: Record<string, string> = {};
  /** The start in progress or last made: what it has opened (held) and, once the engine runs, what it made. */
  private base: StartBase | null = null;
  private started: Started | null = null;
  private starting: Promise<EngineStatus> | null = null;
  /** Set while the start in progress is a take-over or a resume: a `berth start` then waits for it instead of being refused. */
  private joinable = false;
  private suspending: Promise<SuspendedRecord> | null = null;
  /** While the engine is suspended: its saved VM's record, and the Docker socket answering meanwhile. */
  private suspension: Suspension | null = null;
  private abortStart: AbortController | null = null;
  /** What follows the running engine: its events, published ports, registries and the guest itself. */
  private watching: Following | null = null;
  /** When the engine last came up (Resource Saver counts idle time from there at the earliest). */
  private runningSince = 0;
  /** Settles once the teardown after QEMU's unexpected end is done. */
  private lost: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: HomePaths,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
    private readonly plans: StartPlans,
    private readonly options: { directDockerPort?: number } = {},
  ) {
    super();
  }

  /** False, logged, for a move the lifecycle does not make (a late teardown after a stop won): the state stays. */
  private move(next: EngineState): boolean {
    if (next !== this.state && !canMove(this.state, next)) {
      this.log(`engine stays ${this.state}: it does not go to ${next} from there`);
      return false;
    }
    this.log(`engine ${this.state} -> ${next}`);
    this.state = next;
    this.publish();
    return true;
  }

  private publish(): void {
    this.emit('changed', this.status());
  }

  get current(): EngineState {
    return this.state;
  }

  status(): EngineStatus {
    return engineStatus(this.paths, this.env, {
      state: this.state,
      started: this.started,
      accelerator: this.base?.held.machine?.accelerator ?? null,
      suspended: this.suspension?.record ?? null,
      startMs: this.startMs,
      steps: this.steps,
      error: this.error,
      versions: this.versions,
      ports: this.watching?.ports.status() ?? [],
    });
  }

  /**
   * What an earlier daemon of this home left: a suspended engine (which then rests, suspended), or a VM left
   * running, which is taken over. Neither: nothing.
   */
  async takeOverLeftovers(): Promise<void> {
    if (this.state !== 'stopped') return;
    const files = suspendFiles(this.paths.home);
    const suspended = readSuspended(files);
    if (suspended) return this.rest(suspended);
    // A state without its record (a crash between the two) cannot be resumed.
    discardSuspended(files);
    const record = adoptable(this.paths);
    if (!record) return;
    this.log(`taking over the VM left running (qemu ${record.pid})`);
    await this.joinedStart({ kind: 'adopt', record }).catch((error: Error) => this.log(`take-over failed: ${error.message}`));
  }

  private async joinedStart(from: StartFrom): Promise<EngineStatus> {
    this.joinable = true;
    this.starting = this.runStart(from);
    try {
      return await this.starting;
    } finally {
      this.starting = null;
      this.joinable = false;
    }
  }

  async start(): Promise<EngineStatus> {
    if (this.up) {
      // Up, answering or not: a start has nothing to do (a guest that does not answer gets a restart)...
      const machine = this.started?.machine;
      if (machine?.running) return this.status();
      // ...unless QEMU has ended and the lifecycle has not heard yet: it hears it out, then starts anew.
      await machine?.exited;
      await this.lost;
    }
    if (this.starting && this.joinable) return this.starting;
    if (this.state === 'suspended' && this.suspension) {
      return this.joinedStart({ kind: 'resume', record: this.suspension.record, session: this.suspension.takeSession() });
    }
    if (this.state === 'starting') {
      throw lifecycleErrors.alreadyStarting();
    }
    if (this.state === 'stopping') {
      throw lifecycleErrors.stopping();
    }
    this.starting = this.runStart({ kind: 'boot' });
    try {
      return await this.starting;
    } finally {
      this.starting = null;
    }
  }

  /** Boots the VM, or first tries to take over the one an earlier daemon left, or to resume the suspended one. */
  private async runStart(from: StartFrom): Promise<EngineStatus> {
    if (!canMove(this.state, 'starting')) {
      throw lifecycleErrors.busy(this.state);
    }
    this.error = null;
    this.startMs = null;
    this.versions = {};
    // A new start shows only its own steps, from its first event on.
    this.steps = [];
    const abort = new AbortController();
    this.abortStart = abort;
    const suspension = this.suspension;
    const base: StartBase = {
      paths: this.paths,
      env: this.env,
      log: this.log,
      signal: abort.signal,
      // A kept SSH session is this start's from the outset: a failed resume closes it with the rest.
      held: from.kind === 'resume' && from.session ? { link: from.session } : {},
      directDockerPort: this.options.directDockerPort,
      handover: async () => (await suspension?.handover()) ?? null,
    };
    this.base = base;
    this.started = null;
    this.move('starting');
    const began = performance.now();
    const onSteps = (steps: StartStep[]): void => {
      this.steps = steps;
      this.publish();
    };
    let started: Started;
    try {
      started = await startFrom(this.plans, from, { base, onSteps, teardown: () => this.teardown() });
    } catch (error) {
      await this.endSuspension();
      if (abort.signal.aborted) {
        // A stop asked for this: it is not a failure to show.
        this.move('stopping');
        await this.teardown();
        this.move('stopped');
        throw lifecycleErrors.cancelled();
      }
      this.error = toWire(error);
      await this.teardown();
      this.move('error');
      throw error;
    } finally {
      this.abortStart = null;
    }
    // The requests that woke a sleeping engine are served by it now.
    suspension?.deliver(started.socket);
    await this.endSuspension();
    this.startMs = Math.round(performance.now() - began);
    this.started = started;
    const { machine } = started;
    machine.exited.then((exit) => this.onMachineExit(base, exit));
    recordMachine(this.paths.machineRecord, {
      pid: machine.pid!,
      accelerator: machine.accelerator,
      acceleratorReason: started.acceleratorReason,
      network: started.network,
      shares: started.shares,
      startedAt: from.kind === 'adopt' ? from.record.startedAt : new Date().toISOString(),
    });
    this.runningSince = Date.now();
    this.move('running');
    this.follow(base, started);
    return this.status();
  }

  private follow(base: StartBase, started: Started): void {
    this.watching = followEngine(started, {
      containers: (change) => this.emit('containers', change),
      images: (list) => this.emit('images', list),
      volumes: (list) => this.emit('volumes', list),
      networks: (list) => this.emit('networks', list),
      plugins: (list) => this.emit('plugins', list),
      ports: () => this.publish(),
      responding: (yes) => this.responding(base, yes),
      versions: (versions) => {
        if (this.base !== base || this.state !== 'running') return;
        this.versions = versions;
        this.publish();
      },
      log: this.log,
      env: this.env,
      settingsFile: this.paths.settings,
    });
  }

  /**
   * Saves the running VM whole and ends QEMU: its containers are frozen, not stopped, and the next start
   * resumes them. When the suspend cannot be done, the engine runs on and the error says why.
   */
  async suspend(by: SuspendedBy = 'user'): Promise<EngineStatus> {
    if (this.state === 'suspended') return this.status();
    const { base, started } = this;
    if (this.state !== 'running' || !base || !started) {
      throw lifecycleErrors.notSuspendable(this.state);
    }
    this.move('suspending');
    const registries = this.watching?.registries.current ?? null;
    this.watching?.stop();
    this.watching = null;
    let record: SuspendedRecord;
    try {
      this.suspending = suspendEngine(base, started, by, registries);
      record = await this.suspending;
    } catch (error) {
      this.follow(base, started);
      this.move('running');
      throw error;
    } finally {
      this.suspending = null;
    }
    // The SSH session was saved with the guest: it is kept for the resume, not closed with the rest.
    const session = base.held.link ?? null;
    base.held.link = undefined;
    await this.teardown();
    this.started = null;
    this.log(`engine suspended (${by}): ${suspendFiles(this.paths.home).state}`);
    await this.rest(record, session);
    return this.status();
  }

  /** Suspended from here on: set at once, so that a start that comes in meanwhile resumes. */
  private rest(record: SuspendedRecord, session: SshLink | null = null): Promise<void> {
    const wake = (): void => void this.start().catch((error: Error) => this.log(`wake failed: ${error.message}`));
    this.suspension = new Suspension(record, session, this.paths.dockerSocket, wake, this.log);
    this.move('suspended');
    return this.suspension.resting;
  }

  private async endSuspension(): Promise<void> {
    const suspension = this.suspension;
    this.suspension = null;
    await suspension?.end();
  }

  /** When the running engine's Docker socket last had a client's request or answer under way, or it came up if later; null when not running. */
  lastClient(): number | null {
    return this.state === 'running' && this.started ? Math.max(this.started.socket.lastActive(), this.runningSince) : null;
  }

  /** What follows the engine while it runs: its events and container list, published ports, registries and the guest. */
  get following(): Following | null {
    return this.up ? this.watching : null;
  }

  /** Whether the engine is up, answering or not: calls then wait for it, and time out. */
  private get up(): boolean {
    return this.state === 'running' || this.state === 'not-responding';
  }

  /** The Engine API, while the engine runs; while suspended, the Docker socket that answers from what the suspend kept. */
  docker(): Docker {
    if (this.state === 'suspended' && this.suspension?.docker) return this.suspension.docker;
    if (!this.up || !this.started) throw engineNotRunning();
    return this.started.docker;
  }

  /** The SSH connection into the guest, while the engine runs. */
  guest(): SshLink {
    if (!this.up || !this.started) throw engineNotRunning();
    return this.started.link;
  }

  /** The guest stopped answering, or answers again: the state says so, with what to do. */
  private responding(base: StartBase, yes: boolean): void {
    if (this.base !== base) return;
    if (yes) {
      this.log('the guest answers again');
      this.error = null;
      this.move('running');
      return;
    }
    this.log('the guest stopped answering');
    this.error = toWire(lifecycleErrors.notResponding(this.paths.consoleLog));
    this.move('not-responding');
  }

  private onMachineExit(base: StartBase, exit: Exit): void {
    if (this.base !== base || !this.up) return;
    const how = exit.signal ? `signal ${exit.signal}` : `exit ${exit.code}`;
    this.log(`vm stopped unexpectedly (qemu ${how})`);
    this.error = toWire(lifecycleErrors.vmExited(how, this.paths.consoleLog));
    this.lost = this.teardown().then(() => void this.move('error'));
  }

  private async teardown(): Promise<void> {
    this.watching?.stop();
    this.watching = null;
    if (this.base) await closeHeld(this.base);
  }

  async stop(): Promise<EngineStatus> {
    // A suspend under way finishes first: then there is a suspended VM to give up, or a running one to stop.
    await this.suspending?.catch(() => undefined);
    if (this.state === 'stopped') return this.status();
    if (this.state === 'suspended') {
      // Stopping keeps its meaning: the saved VM is given up, and its containers count as stopped.
      await this.endSuspension();
      discardSuspended(suspendFiles(this.paths.home));
      this.log('the suspended VM was discarded');
      this.move('stopped');
      return this.status();
    }
    if (this.starting) {
      // A start in progress is cancelled: its VM is killed (nothing runs in it yet) and it settles as stopped.
      this.abortStart?.abort();
      await this.base?.held.machine?.kill();
      await this.starting.catch(() => undefined);
      return this.status();
    }
    if (this.state === 'stopping') return this.status();
    this.move('stopping');
    await this.teardown();
    this.error = null;
    this.move('stopped');
    return this.status();
  }

  /** The daemon exits: a suspended engine stays suspended (the next daemon finds it), a running one is stopped. */
  async shutdown(): Promise<void> {
    if (this.state === 'suspended') await this.endSuspension();
    else await this.stop();
  }

  async restart(): Promise<EngineStatus> {
    await this.stop();
    return this.start();
  }
}
