import { renameSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { WriteStream } from 'node:fs';
import { Machine } from './machine';
import type { MachineSpec } from './qemu';
import { Qmp } from './qmp';

/**
 * A whole guest (memory and devices) saved to a file through QEMU's migration, and started again from it:
 * what the boot snapshot and a suspend both are.
 */

/** QEMU reads and writes the state through a shell command; paths that need quoting are not worth the risk. */
export const plainPath = (path: string): boolean => /^[\w./-]+$/.test(path);

/** The arguments that make QEMU start from the saved state instead of booting. */
export const loadArgs = (file: string): string[] => ['-incoming', `exec:cat ${file}`];

async function poll<T>(what: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, label: string): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`${label} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Resolves once a QEMU started with `loadArgs` has loaded the state and runs the guest. `beforeRun` runs
 * between the two, while the loaded guest is still paused.
 */
export async function waitLoaded(qmpSocket: string, timeoutMs = 20_000, beforeRun?: (qmp: Qmp) => Promise<void>): Promise<void> {
  const qmp = await poll(() => Qmp.connect(qmpSocket, 500).catch(() => null), (value) => value !== null, timeoutMs, 'the QMP socket');
  try {
    const status = await poll(
      () => qmp!.execute('query-status') as Promise<{ status: string }>,
      ({ status }) => status !== 'inmigrate',
      timeoutMs,
      'loading the saved state',
    );
    await beforeRun?.(qmp!);
    // The guest was paused while it was saved, and comes back paused.
    if (status.status === 'paused') await qmp!.execute('cont');
    else if (status.status !== 'running') throw new Error(`the loaded guest is ${status.status}, not running`);
  } finally {
    qmp!.close();
  }
}

/**
 * Connects to the Unix socket of QEMU's socket chardev `id` and resolves once QEMU has taken the connection,
 * so that the device behind it counts the host as there.
 */
export async function connectChardev(qmp: Qmp, id: string, path: string, timeoutMs = 5_000): Promise<Socket> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const connecting = connect(path);
    connecting.once('connect', () => {
      connecting.removeAllListeners('error');
      resolve(connecting);
    });
    connecting.once('error', reject);
  });
  try {
    // QEMU names a server socket with no client "disconnected:...".
    await poll(
      () => qmp.execute('query-chardev') as Promise<Array<{ label: string; filename: string }>>,
      (chardevs) => chardevs.some((chardev) => chardev.label === id && !chardev.filename.startsWith('disconnected:')),
      timeoutMs,
      `QEMU taking the connection to ${path}`,
    );
    return socket;
  } catch (error) {
    socket.destroy();
    throw error;
  }
}

/** Why QEMU would refuse to save the guest now (a mounted 9p export, say); empty when it would not. */
export async function saveBlockers(qmpSocket: string): Promise<string[]> {
  const qmp = await Qmp.connect(qmpSocket);
  try {
    const answer = (await qmp.execute('query-migrate')) as { 'blocked-reasons'?: string[] };
    return answer['blocked-reasons'] ?? [];
  } finally {
    qmp.close();
  }
}

/**
 * Pauses the guest and writes its whole state to `file` (readable by the user alone), then either lets it
 * go on or ends QEMU. A save that fails leaves no file and the guest running as before.
 */
export async function saveMachine(qmpSocket: string, file: string, after: 'go-on' | 'quit'): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  if (!plainPath(partial)) throw new Error(`cannot save the VM at ${partial}: the path needs quoting`);
  const qmp = await Qmp.connect(qmpSocket);
  let saved = false;
  try {
    // The guest is paused: the whole state goes out at once, as fast as the disk takes it.
    await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 64 * 2 ** 30 });
    await qmp.execute('stop');
    await qmp.execute('migrate', { uri: `exec:umask 077; cat > ${partial}` });
    const { status, 'error-desc': error } = await poll(
      () => qmp.execute('query-migrate') as Promise<{ status: string; 'error-desc'?: string }>,
      ({ status }) => !['setup', 'active', 'device', 'pre-switchover'].includes(status),
      120_000,
      'saving the VM',
    );
    if (status !== 'completed') throw new Error(`saving the VM ${status}: ${error ?? 'no reason given'}`);
    renameSync(partial, file);
    saved = true;
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    // QEMU's quit closes the connection before it answers.
    if (saved && after === 'quit') await qmp.execute('quit').catch(() => undefined);
    else await qmp.execute('cont').catch(() => undefined);
    qmp.close();
  }
}

/**
 * Starts QEMU from the state in `file` and resolves once the guest runs again. A state that does not load
 * is an error, and its QEMU is ended.
 */
export async function loadMachine(
  qemu: string,
  spec: MachineSpec,
  file: string,
  consoleLog: WriteStream,
  onLaunch: (machine: Machine) => void,
  options: { pastStart: boolean; beforeRun?: (qmp: Qmp) => Promise<void> },
): Promise<Machine> {
  if (!plainPath(file)) throw new Error(`${file} needs quoting`);
  const machine = Machine.launch(qemu, spec.accelerator, spec, consoleLog, loadArgs(file), options.pastStart);
  onLaunch(machine);
  try {
    await Promise.race([
      waitLoaded(spec.qmpSocket, undefined, options.beforeRun),
      machine.exited.then((exit) => {
        throw new Error(`QEMU exited (${exit.code ?? exit.signal}): ${exit.stderr.split('\n').pop() ?? ''}`);
      }),
    ]);
    return machine;
  } catch (error) {
    await machine.kill();
    throw error;
  }
}
