import { EventEmitter } from 'node:events';

/** What the guest says on its serial console, one `berth: ...` line at a time. */
export type GuestMessage =
  | { kind: 'handshake' }
  /** The guest waits for this start's values; the same moment on every start, so it may be snapshotted. */
  | { kind: 'hold'; uptimeMs: number }
  | { kind: 'step'; name: string; uptimeMs: number }
  | { kind: 'disk'; freeKiB: number; totalKiB: number }
  | { kind: 'ready'; uptimeMs: number }
  | { kind: 'error'; code: string; message: string };

export function parseGuestLine(line: string): GuestMessage | null {
  const match = /berth: (\S+)(?: (.*))?$/.exec(line.replace(/\r$/, ''));
  if (!match) return null;
  const [, kind, rest = ''] = match;
  const words = rest.split(' ');
  switch (kind) {
    case 'handshake':
      return { kind };
    case 'step':
      return words.length >= 2 ? { kind, name: words[0], uptimeMs: Number(words[1]) } : null;
    case 'disk':
      return words.length >= 2 ? { kind, freeKiB: Number(words[0]), totalKiB: Number(words[1]) } : null;
    case 'ready':
    case 'hold':
      return { kind, uptimeMs: Number(words[0]) };
    case 'error':
      return { kind, code: words[0] ?? 'unknown', message: words.slice(1).join(' ') };
    default:
      return null;
  }
}

/** Splits a byte stream into lines and emits each guest message as 'message'. */
export class GuestConsole extends EventEmitter<{ message: [GuestMessage]; line: [string] }> {
  private pending = '';
  /** Every message of this boot: each is said once, and a start step may begin waiting after it came. */
  private readonly heard: GuestMessage[] = [];

  feed(chunk: Buffer | string): void {
    this.pending += chunk.toString();
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      this.emit('line', line);
      const message = parseGuestLine(line);
      if (!message) continue;
      this.heard.push(message);
      this.emit('message', message);
    }
  }

  /** Resolves with the first message that `match` accepts, whether it came already or is still to come. */
  first<T extends GuestMessage>(match: (message: GuestMessage) => message is T): Promise<T> {
    const earlier = this.heard.find(match);
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve) => {
      const listener = (message: GuestMessage): void => {
        if (match(message)) {
          this.off('message', listener);
          resolve(message);
        }
      };
      this.on('message', listener);
    });
  }
}
