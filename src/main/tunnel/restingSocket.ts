import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { keptAnswer, type KeptAnswer, type KeptAnswers } from '../engine/keptAnswers';
import { MAX_HEAD_BYTES } from './requestFramer';
import { DockerListener } from './socket';

const HEAD_END = Buffer.from('\r\n\r\n');
/** A client that sends no complete request head within this long is let go. */
const HEAD_WAIT_MS = 10_000;

/** What becomes of a request the kept answers cannot serve: the engine wakes for it, or it is refused with a reason. */
export type Unanswered = (local: Socket, head: Buffer) => void;

export function writeAnswer(local: Socket, answer: KeptAnswer): void {
  const body = Buffer.from(answer.body);
  const headers = { ...answer.headers, 'content-length': String(body.length), connection: 'close' };
  const lines = [`HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}`, ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
  // Connection: close, and it is closed: nothing more is read from it, and a half-closed connection left
  // waiting for its client's end would outlive the suspension.
  local.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]), () => local.destroy());
}

/**
 * The Docker socket while the engine is suspended: each connection's first request is read, and answered
 * from the kept lists when it is one of them (one request per connection: the answer closes it, and a
 * client opens another for its next). Anything else goes to `unanswered` with what was read of it.
 */
export class RestingSocket {
  private listener: DockerListener | null = null;
  private readonly reading = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly kept: KeptAnswers,
    private readonly unanswered: Unanswered,
  ) {}

  async listen(): Promise<void> {
    const listener = new DockerListener((local) => this.read(local));
    await listener.listen(this.path);
    this.listener = listener;
  }

  private read(local: Socket): void {
    this.reading.add(local);
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => local.destroy(), HEAD_WAIT_MS);
    const done = (): void => {
      clearTimeout(timer);
      this.reading.delete(local);
      local.off('data', onData);
      local.off('close', done);
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0 && head.length < MAX_HEAD_BYTES) return;
      done();
      local.pause();
      const [method = '', target = ''] = head.subarray(0, Math.max(end, 0)).toString('latin1').split('\r\n')[0].split(' ');
      const answer = end >= 0 ? keptAnswer(this.kept, method, target) : null;
      if (answer) writeAnswer(local, answer);
      else this.unanswered(local, head);
    };
    local.on('data', onData);
    local.once('close', done);
    local.on('error', () => local.destroy());
  }

  /**
   * Hands the listener over, for the waking engine's HostSocket to take (see HostSocket.listen). A client
   * still sending its first request is served as it would have been.
   */
  release(): DockerListener | null {
    const listener = this.listener;
    this.listener = null;
    return listener;
  }

  async close(): Promise<void> {
    for (const socket of this.reading) socket.destroy();
    await this.release()?.close();
  }
}
