import type { Readable } from 'node:stream';
import { BerthError } from '../api/errors';
import type { SshLink } from './link';

export interface GuestCommandOptions {
  /** Written to the command's stdin, which is then closed; a stream is sent as it is read. */
  input?: string | Buffer | Readable;
  timeoutMs?: number;
  /** What to tell the user when the command fails. */
  hint: string;
}

/** Keeps the end of what a command said: its last words name the failure, and all of it may be long. */
const tail = (text: string): string => text.trim().split('\n').slice(-3).join(' ').slice(-400);

/**
 * Runs one shell command in the guest over the link and resolves with its stdout once it exits 0.
 * A non-zero exit, a signal or the deadline is a BerthError carrying the command's stderr.
 */
export async function runInGuest(link: SshLink, command: string, options: GuestCommandOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const client = await link.client(Math.min(timeoutMs, 10_000));
  return new Promise((resolve, reject) => {
    // The deadline counts from the request: a guest that never opens the command's channel is late too.
    let opened: { close(): void } | null = null;
    const timer = setTimeout(() => {
      opened?.close();
      reject(new BerthError('GuestCommandTimeout', `\`${command}\` did not finish in the VM within ${timeoutMs / 1000} s.`, options.hint));
    }, timeoutMs);
    client.exec(command, (error, channel) => {
      if (error) {
        clearTimeout(timer);
        reject(new BerthError('GuestCommandFailed', `Berth could not run \`${command}\` in the VM: ${error.message}`, options.hint));
        return;
      }
      opened = channel;
      let stdout = '';
      let stderr = '';
      let code: number | null = null;
      let signal: string | undefined;
      channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // 'exit' may come before the last output; 'close' comes after both.
      channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
        code = exitCode;
        signal = exitSignal;
      });
      channel.on('close', () => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else {
          const how = signal ? `was ended by ${signal}` : code === null ? 'ended without a status' : `exited with ${code}`;
          const said = tail(stderr);
          reject(new BerthError('GuestCommandFailed', `\`${command}\` ${how} in the VM${said ? `: ${said}` : '.'}`, options.hint));
        }
      });
      const { input } = options;
      if (typeof input === 'object' && !Buffer.isBuffer(input)) {
        input.once('error', (failure: Error) => {
          clearTimeout(timer);
          channel.close();
          reject(new BerthError('GuestCommandFailed', `Berth could not send \`${command}\` its input: ${failure.message}`, options.hint));
        });
        input.pipe(channel);
      } else channel.end(input);
    });
  });
}
