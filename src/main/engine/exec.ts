import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { EXEC_OUTPUT_MAX, type ExecChunk, type ExecInput } from '../api/containerDetails';
import { BerthError } from '../api/errors';
import { refusal } from './client';
import { noSuchContainer, requireRunning } from './containers';
import { untilEnded } from './streaming';

type Shell = 'bash' | 'sh';

/**
 * Runs bash where the container has it, else sh. Before that it names the shell and its process id in
 * an escape sequence (an OSC, which terminals ignore), so the window can say which one it got and
 * Berth can hang it up when the window lets go of it.
 */
const SHELL_SCRIPT = `if command -v bash >/dev/null 2>&1; then s=bash; else s=sh; fi; printf '\\033]berth-shell;%s;%s\\007' "$s" "$$"; exec "$s"`;
const ESC = 0x1b;
const BEL = 0x07;
/** The marker's longest form: the escape, the name, the longer shell's name and a process id. */
const MARKER_MAX = 64;
const MARKER = /^\x1b\]berth-shell;(bash|sh);(\d+)\x07$/;

/** Takes the shell's first bytes until the marker has passed, then lets every byte through unchanged. */
export class ShellMarker {
  shell: Shell | null = null;
  /** The shell's process id inside the container. */
  pid: number | null = null;
  private head: Buffer | null = Buffer.alloc(0);

  /** The bytes of `data` that are the shell's own output. */
  take(data: Buffer): Buffer {
    if (!this.head) return data;
    const head = Buffer.concat([this.head, data]);
    // Anything else first (the runtime saying it found no sh) is output, and there will be no marker.
    // The marker may come in one chunk with the shell's first output, so only its own length is bounded.
    const end = head[0] === ESC ? head.subarray(0, MARKER_MAX).indexOf(BEL) : -1;
    if (head[0] !== ESC || (end < 0 && head.length >= MARKER_MAX)) {
      this.head = null;
      return head;
    }
    if (end < 0) {
      this.head = head;
      return Buffer.alloc(0);
    }
    this.head = null;
    const found = MARKER.exec(head.subarray(0, end + 1).toString('latin1'));
    if (!found) return head;
    this.shell = found[1] as Shell;
    this.pid = Number(found[2]);
    return head.subarray(end + 1);
  }
}

/** Gathers output for one turn of the event loop, so a chatty command costs one chunk per burst, each at most EXEC_OUTPUT_MAX bytes. */
export function outputBatcher(send: (bytes: Buffer) => void): { add(bytes: Buffer): void; flush(): void } {
  let pending: Buffer[] = [];
  let size = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const all = Buffer.concat(pending);
    pending = [];
    size = 0;
    for (let at = 0; at < all.length; at += EXEC_OUTPUT_MAX) send(all.subarray(at, at + EXEC_OUTPUT_MAX));
  };
  return {
    add(bytes) {
      pending.push(bytes);
      size += bytes.length;
      if (size >= EXEC_OUTPUT_MAX) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => scheduled && flush());
      }
    },
    flush,
  };
}

function noShell(name: string): BerthError {
  return new BerthError('NoShell', `${name} has no shell to run (neither bash nor sh).`, 'The terminal needs sh or bash in the container; from a host terminal, `docker exec` a program the image has.');
}

function execRefused(id: string, error: unknown): unknown {
  const { status, said } = refusal(error);
  if (status === 404) return noSuchContainer(id);
  if (status === 409) return new BerthError('ContainerNotRunning', `Cannot open a shell in ${id}: ${said}`, 'Start (or unpause) it, then open the terminal again.');
  return error;
}

/** The exec's exit code; the engine records it a moment after the connection ends (checked every 50 ms). */
export async function exitCode(exec: Docker.Exec, attempts = 20): Promise<number | null> {
  for (let tries = 0; tries < attempts; tries += 1) {
    const info = await exec.inspect();
    if (!info.Running) return info.ExitCode ?? null;
    await new Promise((done) => setTimeout(done, 50));
  }
  return null;
}

export interface ShellSession {
  send(chunk: ExecChunk): void;
  readonly signal: AbortSignal;
  onInput(listener: (input: ExecInput) => void): void;
}

/**
 * Sends the shell SIGHUP, as closing a terminal window does. The engine keeps an exec running when its
 * connection closes, so without this every closed tab would leave a shell behind.
 */
async function hangUp(docker: Docker, id: string, pid: number): Promise<void> {
  try {
    const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', 'kill -HUP "$1"', 'sh', String(pid)] });
    await exec.start({ Detach: true });
  } catch {
    // The container stopped meanwhile, and the shell with it.
  }
}

/** A shell with a TTY in a running container, for as long as it runs or until `signal` aborts, when Berth hangs it up. */
export async function runShell(docker: Docker, id: string, size: { cols: number; rows: number }, session: ShellSession): Promise<void> {
  const info = await requireRunning(docker, id, 'open a shell in it');
  const name = info.Name.replace(/^\//, '');
  const consoleSize = [size.rows, size.cols];
  let exec: Docker.Exec;
  let socket: Duplex;
  try {
    exec = await docker.getContainer(id).exec({
      Cmd: ['sh', '-c', SHELL_SCRIPT],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Env: ['TERM=xterm-256color'],
      ConsoleSize: consoleSize,
    } as Docker.ExecCreateOptions);
    socket = (await exec.start({ hijack: true, stdin: true, Tty: true, ConsoleSize: consoleSize } as Docker.ExecStartOptions)) as Duplex;
  } catch (error) {
    throw execRefused(id, error);
  }
  const marker = new ShellMarker();
  const output = outputBatcher((bytes) => session.send({ type: 'output', data: bytes.toString('base64') }));
  socket.on('data', (data: Buffer) => {
    const known = marker.shell;
    const own = marker.take(data);
    if (!known && marker.shell) session.send({ type: 'started', shell: marker.shell });
    if (own.length) output.add(own);
  });
  session.onInput((input) => {
    if (input.type === 'data') socket.write(input.data);
    else exec.resize({ h: input.rows, w: input.cols }).catch(() => undefined);
  });
  await untilEnded(socket, session.signal);
  if (session.signal.aborted) {
    if (marker.pid !== null) await hangUp(docker, id, marker.pid);
    return;
  }
  output.flush();
  const code = await exitCode(exec);
  if (!marker.shell && (code === 126 || code === 127)) throw noShell(name);
  session.send({ type: 'exit', code });
}
