import { EventEmitter } from 'node:events';
import type Docker from 'dockerode';
import type { ContainerChange, ContainerSummary } from '../api/containers';
import type { NetworkSummary } from '../api/networks';
import type { ImageSummary } from '../api/images';
import type { VolumeSummary } from '../api/volumes';
import type { EngineState, EngineStatus, StartStep } from '../api/engine';
import { BerthError, toWire, type WireError } from '../api/errors';
import type { ApplyProgress, RegistrySettings } from '../api/registry';
import { engineNotRunning, engineVersions } from '../engine/client';
import { listContainers } from '../engine/containers';
import { CONTEXT_NAME } from '../engine/context';
import type { HomePaths } from '../home';
import { applyRegistrySettings } from '../registry/applySettings';
import { loadSettings, effectiveNetwork } from '../settings/store';
import type { Exit } from '../vm/machine';
import type { SshLink } from '../tunnel/link';
import { adoptable, forgetMachine, recordMachine, type MachineRecord } from '../vm/leftover';
import type { Plan } from '../vm/steps';
import { followEngine, type Following } from './following';
import { GUEST_RESET } from './guestSteps';
import type { StartBase, Started } from './startBase';

const TRANSITIONS: Record<EngineState, EngineState[]> = {
  stopped: ['starting'],
  error: ['starting', 'stopping', 'stopped'],
  starting: ['running', 'error', 'stopping'],
  running: ['stopping', 'error', 'not-responding'],
  'not-responding': ['running', 'stopping', 'error'],
  stopping: ['stopped', 'error'],
};

/** How the engine starts: the steps that boot a VM, and those that take over one an earlier daemon left running. */
export interface StartPlans {
  boot: Plan<StartBase, Started>;
  adopt(record: MachineRecord): Plan<StartBase, Started>;
}

/** The engine's lifecycle: stopped, starting, running, stopping, error. The VM belongs to it. */
export class EngineLifecycle extends EventEmitter<{
  changed: [EngineStatus];
  containers: [ContainerChange];
  images: [ImageSummary[]];
  volumes: [VolumeSummary[]];
  networks: [NetworkSummary[]];
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
  /** Set while the start in progress is a take-over: a `berth start` then waits for it instead of being refused. */
  private adopting = false;
  private abortStart: AbortController | null = null;
  /** What follows the running engine: its events, published ports, registries and the guest itself. */
  private watching: Following | null = null;
  /** Settles once the teardown after QEMU's unexpected end is done. */
  private lost: Promise<void> = Promise.resolve();

  constructor(
    private readonly paths: HomePaths,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
    /** None for a lifecycle that only reports (what `berth status` shows with no daemon). */
    private readonly plans: StartPlans | null,
    private readonly options: { directDockerPort?: number } = {},
  ) {
    super();
  }

  /** False, logged, for a move the lifecycle does not make (a late teardown after a stop won): the state stays. */
  private move(next: EngineState): boolean {
    if (next !== this.state && !TRANSITIONS[this.state].includes(next)) {
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
    let network: EngineStatus['network'] = this.started?.network ?? 'normal';
    if (!this.started) {
      try {
        network = effectiveNetwork(loadSettings(this.paths.settings), this.env);
      } catch {
        // the start step reports a broken settings file
      }
    }
    return {
      state: this.state,
      dockerHost: `unix://${this.paths.dockerSocket}`,
      context: CONTEXT_NAME,
      accelerator: this.base?.held.machine?.accelerator ?? null,
      acceleratorReason: this.started?.acceleratorReason ?? null,
      network,
      startMs: this.startMs,
      steps: this.steps,
      error: this.error,
      versions: this.versions,
      logs: { daemon: this.paths.daemonLog, console: this.paths.consoleLog },
      ports: this.watching?.ports.status() ?? [],
    };
  }

  /** Takes over the VM an earlier daemon of this home left running, if there is one; else nothing. */
  async adoptLeftover(): Promise<void> {
    const record = this.state === 'stopped' ? adoptable(this.paths) : null;
    if (!record) return;
    this.log(`taking over the VM left running (qemu ${record.pid})`);
    this.adopting = true;
    this.starting = this.runStart(record);
    try {
      await this.starting;
    } catch (error) {
      this.log(`take-over failed: ${(error as Error).message}`);
    } finally {
      this.starting = null;
      this.adopting = false;
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
    if (this.starting && this.adopting) return this.starting;
    if (this.state === 'starting') {
      throw new BerthError(
        'AlreadyStarting',
        'Berth is already starting the engine.',
        'Wait for that start to finish; `berth status` shows its progress.',
      );
    }
    if (this.state === 'stopping') {
      throw new BerthError('Stopping', 'Berth is stopping the engine.', 'Wait until it has stopped, then start it again.');
    }
    this.starting = this.runStart();
    try {
      return await this.starting;
    } finally {
      this.starting = null;
    }
  }

  /** Boots the VM, or with `record` first tries to take over the one it describes. */
  private async runStart(record?: MachineRecord): Promise<EngineStatus> {
    const plans = this.plans;
    if (!plans) throw new BerthError('NoDaemon', 'Only the Berth daemon starts the engine.', 'Run `berth start`.');
    if (!TRANSITIONS[this.state].includes('starting')) {
      throw new BerthError('EngineBusy', `The engine is ${this.state}; it cannot start from there.`, 'Wait for it to settle (`berth status`), then start it again.');
    }
    this.error = null;
    this.startMs = null;
    this.versions = {};
    // A new start shows only its own steps, from its first event on.
    this.steps = [];
    const abort = new AbortController();
    this.abortStart = abort;
    const base: StartBase = { paths: this.paths, env: this.env, log: this.log, signal: abort.signal, held: {}, directDockerPort: this.options.directDockerPort };
    this.base = base;
    this.started = null;
    this.move('starting');
    const began = performance.now();
    const onSteps = (steps: StartStep[]): void => {
      this.steps = steps;
      this.publish();
    };
    const boot = async (): Promise<Started> => {
      try {
        return await plans.boot.run(base, onSteps, this.log, abort.signal);
      } catch (error) {
        // A guest kernel that dies while booting (QEMU's TCG can crash it, rarely) gets one more boot.
        if (!(error instanceof BerthError && error.name === GUEST_RESET) || abort.signal.aborted) throw error;
        this.log(`${error.message} Booting it once more.`);
        await this.teardown();
        return plans.boot.run(base, onSteps, this.log, abort.signal);
      }
    };
    const adopt = async (from: MachineRecord): Promise<Started> => {
      try {
        return await plans.adopt(from).run(base, onSteps, this.log, abort.signal);
      } catch (error) {
        if (abort.signal.aborted) throw error;
        // Its containers are lost with it, but a VM Berth cannot reach is of no use: the boot stops it first.
        this.log(`could not take over the running VM (${(error as Error).message}); booting a new one`);
        await this.teardown();
        return boot();
      }
    };
    let started: Started;
    try {
      started = record ? await adopt(record) : await boot();
    } catch (error) {
      if (abort.signal.aborted) {
        // A stop asked for this: it is not a failure to show.
        this.move('stopping');
        await this.teardown();
        this.move('stopped');
        throw new BerthError('StartCancelled', 'The start was cancelled by a stop.', 'Start Berth again when you need it.');
      }
      this.error = toWire(error);
      await this.teardown();
      this.move('error');
      throw error;
    } finally {
      this.abortStart = null;
    }
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
      startedAt: record?.startedAt ?? new Date().toISOString(),
    });
    this.move('running');
    this.watching = followEngine(started, {
      containers: (change) => this.emit('containers', change),
      images: (list) => this.emit('images', list),
      volumes: (list) => this.emit('volumes', list),
      networks: (list) => this.emit('networks', list),
      ports: () => this.publish(),
      responding: (yes) => this.responding(base, yes),
      log: this.log,
      env: this.env,
      settingsFile: this.paths.settings,
    });
    void this.readVersions(base, started.docker);
    return this.status();
  }

  /**
   * Read once the engine counts as running, not before: `docker version` has dockerd run `runc --version`,
   * about 0.15 s of every start under TCG. The status is published again with them.
   */
  private async readVersions(base: StartBase, docker: Docker): Promise<void> {
    try {
      const versions = await engineVersions(docker);
      if (this.base !== base || this.state !== 'running') return;
      this.versions = versions;
      this.publish();
    } catch (error) {
      this.log(`could not read engine versions: ${(error as Error).message}`);
    }
  }

  /** The host woke from sleep: while the engine runs, the guest's clock (behind by the sleep) is set from the host's. */
  hostResumed(): void {
    this.watching?.guest.setClock('the host resumed from sleep');
  }

  /** Whether the engine is up, answering or not: calls then wait for it, and time out. */
  private get up(): boolean {
    return this.state === 'running' || this.state === 'not-responding';
  }

  /** The Engine API, while the engine runs. */
  docker(): Docker {
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
    this.error = {
      name: 'GuestNotResponding',
      message: 'The VM has not answered Berth for 15 s: it may be overloaded, or hung.',
      hint: `Wait for it, or restart the engine (\`berth restart\`, or Restart in the window). ${this.paths.consoleLog} may say why.`,
    };
    this.move('not-responding');
  }

  /** Every container's row: the kept list when it is current, else a listing. */
  async containers(): Promise<ContainerSummary[]> {
    const docker = this.docker();
    return this.watching ? this.watching.containerList.all() : listContainers(docker);
  }

  /** The registry settings as saved in settings.json. */
  registrySettings(): RegistrySettings {
    return loadSettings(this.paths.settings).registries;
  }

  applyRegistrySettings(settings: RegistrySettings, progress: (update: ApplyProgress) => void): Promise<void> {
    const running = this.state === 'running' ? (this.watching?.registries ?? null) : null;
    return applyRegistrySettings(settings, { settingsFile: this.paths.settings, env: this.env, starting: this.state === 'starting', running }, progress);
  }

  private onMachineExit(base: StartBase, exit: Exit): void {
    if (this.base !== base || !this.up) return;
    const how = exit.signal ? `signal ${exit.signal}` : `exit ${exit.code}`;
    this.log(`vm stopped unexpectedly (qemu ${how})`);
    this.error = {
      name: 'VmExited',
      message: `The VM stopped unexpectedly (QEMU ${how}).`,
      hint: `Read ${this.paths.consoleLog}, then start Berth again.`,
    };
    this.lost = this.teardown().then(() => void this.move('error'));
  }

  private async teardown(): Promise<void> {
    this.watching?.stop();
    this.watching = null;
    const held = this.base?.held;
    if (!held) return;
    const { socket, link, machine, consoleLog } = held;
    // Emptied first: a later teardown (the boot's second try, a stop) finds only what opened since.
    held.socket = held.link = held.machine = held.consoleLog = undefined;
    await socket?.close().catch(() => undefined);
    link?.close();
    if (machine?.running) {
      const how = await machine.powerdown();
      this.log(`vm powered down (${how})`);
    }
    forgetMachine(this.paths.machineRecord);
    consoleLog?.end();
  }

  async stop(): Promise<EngineStatus> {
    if (this.state === 'stopped') return this.status();
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

  async restart(): Promise<EngineStatus> {
    await this.stop();
    return this.start();
  }
}

/** The status of an engine no daemon runs: what a fresh lifecycle reports. */
export function stoppedStatus(paths: HomePaths, env: NodeJS.ProcessEnv): EngineStatus {
  return new EngineLifecycle(paths, env, () => undefined, null).status();
}
