import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { isAlive } from '../pidfile';
import { BerthError } from '../api/errors';
import { handshakeDeadlineMs, type Candidate } from './accelerator';
import { GuestConsole } from './console';
import { Qmp } from './qmp';
import { qemuArgs, qemuDataArgs, type MachineSpec } from './qemu';

type Spec = Omit<MachineSpec, 'accelerator'>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** How a Machine watches and signals its QEMU: a child it launched, or one an earlier daemon left running. */
interface QemuProcess {
  readonly pid: number | undefined;
  /** Asked now, not when `exited` next hears: a QEMU watched by its pid is polled only now and then. */
  alive(): boolean;
  kill(): void;
  readonly exited: Promise<Exit>;
}

/**
 * The running VM as the rest of Berth sees it: a process to watch, the guest's serial console (its start
 * messages in, the start values out), and a way to stop it. QEMU is one driver behind it (`Machine`); a
 * helper on Apple's Virtualization framework would be another, with the same console and the same SSH
 * socket to offer (docs/platforms.md, "File sharing per platform"). Suspending and restoring the whole VM
 * are QEMU's own (machineState.ts, through QMP).
 */
export interface GuestMachine {
  readonly accelerator: string;
  readonly console: GuestConsole;
  readonly exited: Promise<Exit>;
  /** Its guest is past its start, so no start message will come on the console. */
  readonly pastStart: boolean;
  readonly running: boolean;
  readonly pid: number | undefined;
  sendToGuest(text: string): void;
  kill(): Promise<void>;
  powerdown(graceMs?: number): Promise<'clean' | 'killed'>;
}

/** One running QEMU process and its serial console. */
export class Machine implements GuestMachine {
  readonly console = new GuestConsole();
  private exit: Exit | null = null;
  readonly exited: Promise<Exit>;
  /** The launched QEMU, whose stdin is the guest's serial console. */
  private input: ChildProcess | null = null;

  private constructor(
    readonly accelerator: string,
    private readonly qemu: QemuProcess,
    private readonly qmpSocket: string,
    /**
     * Its guest is past its start, so no start message will come on the console: a VM taken over from an
     * earlier daemon (its console went with that daemon), or one resumed from a suspend.
     */
    readonly pastStart = false,
  ) {
    this.exited = qemu.exited.then((exit) => (this.exit = exit));
  }

  get running(): boolean {
    return this.exit === null && this.qemu.alive();
  }

  get pid(): number | undefined {
    return this.qemu.pid;
  }

  /** `extra` ends the command line: how a restore or a resume passes `-incoming`. */
  static launch(qemu: string, accelerator: string, spec: Spec, consoleLog: WriteStream, extra: string[] = [], pastStart = false): Machine {
    const how = extra.length ? `restoring ${extra.at(-1)}` : 'booting';
    consoleLog.write(`\n--- berth: launching qemu with accelerator ${accelerator}, ${how}, at ${new Date().toISOString()}\n`);
    const child = spawn(qemu, [...qemuArgs({ ...spec, accelerator }), ...qemuDataArgs(process.env, spec.image.arch), ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin?.on('error', () => undefined);
    child.once('error', (error) => consoleLog.write(`berth: could not run ${qemu}: ${error.message}\n`));
    let stderr = '';
    const exited = new Promise<Exit>((resolve) =>
      child.once('exit', (code, signal) => {
        consoleLog.write(`\n--- berth: qemu exited (code ${code}, signal ${signal}) at ${new Date().toISOString()}\n`);
        resolve({ code, signal, stderr: stderr.trim() });
      }),
    );
    const alive = (): boolean => child.exitCode === null && child.signalCode === null;
    const machine = new Machine(accelerator, { pid: child.pid, alive, kill: () => child.kill('SIGKILL'), exited }, spec.qmpSocket, pastStart);
    machine.input = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      consoleLog.write(chunk);
      machine.console.feed(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      consoleLog.write(chunk);
    });
    return machine;
  }

  /** A QEMU an earlier daemon launched, still running its guest: watched by its pid from now on. */
  static adopt(pid: number, accelerator: string, qmpSocket: string): Machine {
    const exited = new Promise<Exit>((resolve) => {
      const timer = setInterval(() => {
        if (isAlive(pid)) return;
        clearInterval(timer);
        resolve({ code: null, signal: null, stderr: '' });
      }, 1_000);
    });
    return new Machine(accelerator, { pid, alive: () => isAlive(pid), kill: () => process.kill(pid, 'SIGKILL'), exited }, qmpSocket, true);
  }

  /**
   * Launches QEMU with each candidate in turn until one reaches the guest's first line within its
   * deadline; a refusal or a hang moves on to the next candidate and is kept as the reason.
   */
  static async bootFirst(
    qemu: string,
    list: Candidate[],
    spec: Spec,
    consoleLog: WriteStream,
    onVerdict: (candidate: Candidate, ok: boolean, reason: string) => void,
    onLaunch: (machine: Machine) => void,
    signal: AbortSignal,
  ): Promise<{ machine: Machine; reason: string }> {
    const failures: string[] = [];
    let lastExited = false;
    // The last resort gets a second try: a rare early guest reset should not fail the whole start.
    const attempts = [...list, ...list.slice(-1)];
    for (const [index, candidate] of attempts.entries()) {
      if (index === list.length && !lastExited) break;
      signal.throwIfAborted();
      const started = Date.now();
      const machine = Machine.launch(qemu, candidate.name, spec, consoleLog);
      onLaunch(machine);
      const deadline = handshakeDeadlineMs(candidate.name);
      let timer: NodeJS.Timeout | undefined;
      type Outcome = { kind: 'ok' } | { kind: 'exited' | 'hung'; why: string };
      const outcome = await Promise.race<Outcome>([
        machine.console.first((m): m is { kind: 'handshake' } => m.kind === 'handshake').then(() => ({ kind: 'ok' })),
        machine.exited.then((exit) => ({ kind: 'exited', why: `qemu refused it: ${lastLine(exit.stderr) || `exit ${exit.code ?? exit.signal}`}` })),
        new Promise<Outcome>((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'hung', why: `no boot handshake within ${(deadline / 1000).toFixed(1)} s` }), deadline);
        }),
      ]);
      clearTimeout(timer);
      if (outcome.kind === 'ok') {
        const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
        onVerdict(candidate, true, `boot handshake in ${took}`);
        const reason = failures.length
          ? `fell back to ${candidate.name}: ${failures.join('; ')}`
          : candidate.name === 'tcg'
            ? candidate.why
            : `${candidate.name}: boot handshake in ${took}`;
        return { machine, reason };
      }
      await machine.kill();
      signal.throwIfAborted();
      lastExited = outcome.kind === 'exited';
      failures.push(`${candidate.name}: ${outcome.why}`);
      onVerdict(candidate, false, outcome.why);
    }
    throw new BerthError(
      'NoAccelerator',
      `QEMU could not boot the guest with any accelerator (${failures.join('; ')}).`,
      `Read ${String(consoleLog.path)}; check that QEMU works on this machine (${qemu} --version).`,
    );
  }

  /** Types on the guest's serial console (QEMU's stdin); berth-boot reads its start values there. */
  sendToGuest(text: string): void {
    this.input?.stdin?.write(text);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.qemu.kill();
    await this.exited;
  }

  /** ACPI power button first, so the guest stops dockerd and unmounts its disk; then a hard stop. */
  async powerdown(graceMs = 25_000): Promise<'clean' | 'killed'> {
    if (!this.running) return 'clean';
    try {
      const qmp = await Qmp.connect(this.qmpSocket);
      try {
        await qmp.execute('system_powerdown');
      } finally {
        qmp.close();
      }
      const stopped = await Promise.race([
        this.exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs)),
      ]);
      if (stopped) return 'clean';
    } catch {
      // QMP is gone; nothing left but a hard stop
    }
    await this.kill();
    return 'killed';
  }
}

function lastLine(text: string): string {
  return text.split('\n').filter(Boolean).pop()?.replace(/^qemu-system-\S+: /, '') ?? '';
}
