import { constants } from 'node:os';
import { Writable, type Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import type { ExecChunk } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import { exitCode } from '../engine/exec';
import { runInGuest } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';
import { projectOf } from './backend';
import { KEY_LABEL, VM_SERVICE_LABEL } from './compose';

/** How long a process has to end after SIGTERM before it gets SIGKILL. */
const TERM_GRACE_MS = 10_000;

/** The running container of the extension's first compose service. */
async function backendContainer(docker: Docker, extension: Extension): Promise<Docker.ContainerInfo> {
  if (!extension.vm) {
    throw new BerthError('NoBackend', `${extension.title} has no backend to run commands in.`, 'ddClient.extension.vm.cli.exec needs a backend that metadata.json declares under vm.');
  }
  const found = await docker.listContainers({ all: true, filters: { label: [`${KEY_LABEL}=${extension.key}`, `${VM_SERVICE_LABEL}=true`] } });
  const running = found.find((container) => container.State === 'running');
  if (!running) {
    throw new BerthError(
      'BackendNotRunning',
      found.length ? `${extension.title}'s backend container is ${found[0].State}.` : `${extension.title}'s backend container does not exist.`,
      `Restart Berth or reinstall ${extension.title}; its containers' logs: docker --context berth compose -p ${projectOf(extension.key)} logs.`,
    );
  }
  return running;
}

/** Text as it comes, one chunk per write, a character split between writes kept for the next. */
function textSink(send: (text: string) => void): Writable {
  const decoder = new StringDecoder('utf8');
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = decoder.write(chunk);
      if (text) send(text);
      done();
    },
    final(done) {
      const rest = decoder.end();
      if (rest) send(rest);
      done();
    },
  });
}

/** The exec'd process's id in the guest, once the engine knows it. */
async function guestPid(exec: Docker.Exec): Promise<number | null> {
  for (let tries = 0; tries < 40; tries += 1) {
    const info = (await exec.inspect()) as Docker.ExecInspectInfo & { Pid?: number };
    if (!info.Running && tries > 0) return null;
    if (info.Pid) return info.Pid;
    await new Promise((done) => setTimeout(done, 50));
  }
  return null;
}

/**
 * ddClient.extension.vm.cli.exec: runs `command` with `args` (no shell) in the extension's first backend
 * container, sending its output as it comes and then its exit. Aborting sends the process SIGTERM in the
 * guest (the engine has no API to signal an exec), then SIGKILL if it is still there after a grace period.
 */
export async function execInBackend(
  docker: Docker,
  link: SshLink,
  extension: Extension,
  command: string,
  args: string[],
  signal: AbortSignal,
  send: (chunk: ExecChunk) => void,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<void> {
  const info = await backendContainer(docker, extension);
  const exec = await docker.getContainer(info.Id).exec({
    Cmd: [command, ...args],
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    WorkingDir: options.cwd,
    Env: options.env ? Object.entries(options.env).map(([name, value]) => `${name}=${value}`) : undefined,
  });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  const stdout = textSink((text) => send({ stdout: text }));
  const stderr = textSink((text) => send({ stderr: text }));
  docker.modem.demuxStream(stream, stdout, stderr);
  let signalled: 'SIGTERM' | 'SIGKILL' | null = null;
  const ended = new Promise<void>((done) => {
    stream.once('end', done);
    stream.once('close', done);
    // Kept for good: an error with no listener would bring the daemon down.
    stream.on('error', () => done());
  });
  const kill = async (name: 'SIGTERM' | 'SIGKILL'): Promise<void> => {
    const pid = await guestPid(exec).catch(() => null);
    if (pid === null) return;
    signalled = name;
    await runInGuest(link, `kill -${name.slice(3)} ${pid} 2>/dev/null || true`, { timeoutMs: 15_000, hint: 'The process may still run in the backend container.' });
  };
  const stop = (): void => {
    void (async () => {
      await kill('SIGTERM');
      const late = await Promise.race([ended.then(() => false), new Promise<boolean>((done) => setTimeout(() => done(true), TERM_GRACE_MS))]);
      if (late) await kill('SIGKILL');
    })().catch(() => stream.destroy());
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  await ended;
  signal.removeEventListener('abort', stop);
  stdout.end();
  stderr.end();
  const code = await exitCode(exec, 40).catch(() => null);
  // The engine reports a process a signal ended as 128 + the signal's number.
  if (signalled && code !== null && code > 128) {
    const name = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? signalled;
    send({ exit: null, signal: name });
  } else send({ exit: code, signal: null });
}
