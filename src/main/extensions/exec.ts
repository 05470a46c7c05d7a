import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ExecChunk } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import { checkDockerCommand, dockerEnvironment } from './dockerCommand';

export interface ProcessOptions {
  cwd?: string;
  /** The program's whole environment. */
  env: NodeJS.ProcessEnv;
  /** Said when the program cannot be started at all. */
  missing: BerthError;
}

/**
 * Runs a program without a shell, sending its output as it comes and then its exit. Aborting sends it
 * SIGTERM, as Docker Desktop does when a page closes a stream or goes away.
 */
export function runProcess(file: string, args: string[], options: ProcessOptions, signal: AbortSignal, send: (chunk: ExecChunk) => void): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? homedir(),
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const stop = (): void => void child.kill('SIGTERM');
    signal.addEventListener('abort', stop, { once: true });
    for (const [stream, name] of [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ] as const) {
      const decoder = new StringDecoder('utf8');
      stream.on('data', (data: Buffer) => {
        const text = decoder.write(data);
        if (text) send(name === 'stdout' ? { stdout: text } : { stderr: text });
      });
      stream.on('end', () => {
        const rest = decoder.end();
        if (rest) send(name === 'stdout' ? { stdout: rest } : { stderr: rest });
      });
    }
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', stop);
      fail(error.code === 'ENOENT' ? options.missing : error);
    });
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', stop);
      send({ exit: code, signal: killedBy });
      done();
    });
  });
}

/**
 * ddClient.docker.cli.exec: the docker CLI on this computer, pointed at Berth's engine whatever context is
 * current, with an allow-listed environment; commands that would leave that engine are refused, and `docker cp`
 * or an option naming a file here reaches only paths the user picked (`picked`).
 */
export async function dockerCli(
  dockerSocket: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; picked: readonly string[] },
  signal: AbortSignal,
  send: (chunk: ExecChunk) => void,
): Promise<void> {
  checkDockerCommand(command, args, options.picked);
  const env = dockerEnvironment(process.env, options.env, dockerSocket);
  const missing = new BerthError('DockerCliMissing', 'The docker CLI is not installed on this computer.', 'Install the docker CLI (Debian: apt install docker-cli) so extensions can run docker commands.');
  return runProcess('docker', [command, ...args], { cwd: options.cwd, env, missing }, signal, send);
}

/**
 * The extension's own host binary `command`: a bare file name among those it shipped. Anything else, a path
 * included, is refused, and so is a link that leads out of its folder.
 */
export function hostBinary(extension: Extension, folder: string, command: string): string {
  const refused = (why: string): BerthError =>
    new BerthError('BinaryRefused', `${extension.title} may not run "${command}": ${why}.`, `An extension runs only the host binaries it ships (${extension.hostBinaries.join(', ') || 'none'}).`);
  if (command.includes('/') || command.includes('\\') || command === '.' || command === '..') throw refused('a host binary is named by its file name alone');
  if (!extension.hostBinaries.includes(command)) throw refused('it is not one of its host binaries');
  const binaries = realpathSync(join(folder, 'host'));
  let file: string;
  try {
    file = realpathSync(join(binaries, command));
  } catch {
    throw refused('the file is missing; reinstall the extension');
  }
  if (!file.startsWith(binaries + sep)) throw refused('it leads outside the extension');
  return file;
}
