import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { repoRoot, type Instance } from './berth';

/** A running `berth serve` of one instance, as the browser tests see it. */
export interface Served {
  url: string;
  origin: string;
  port: number;
  token: string;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Whether the process has ended, by itself or by a signal. */
  exited(): boolean;
  stop(): Promise<void>;
}

const URL_LINE = /^http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})$/;

/** Starts `berth serve` for `instance` and resolves once it printed its URL line. */
export function startServe(instance: Instance, extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Served> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'berth.mjs'), 'serve'], {
    env: { ...instance.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (): Promise<void> => {
    if (exited()) return;
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      void stop();
      reject(new Error(`berth serve ${why}\nstdout: ${stdout}\nstderr: ${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs} ms`), timeoutMs);
    child.once('exit', (code) => fail(`exited (${code}) before printing its URL`));
    child.stdout.on('data', (data: Buffer) => {
      const before = stdout;
      stdout += data.toString();
      if (before.includes('\n') || !stdout.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const match = URL_LINE.exec(stdout.slice(0, stdout.indexOf('\n')));
      if (!match) return fail('printed something other than its URL line');
      resolve({
        url: match[0],
        origin: `http://127.0.0.1:${match[1]}`,
        port: Number(match[1]),
        token: match[2]!,
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
        stop,
      });
    });
  });
}
