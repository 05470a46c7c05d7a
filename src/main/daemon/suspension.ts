import type { Socket } from 'node:net';
import type Docker from 'dockerode';
import { engineClient } from '../engine/client';
import type { SshLink } from '../tunnel/link';
import { RestingSocket, writeAnswer } from '../tunnel/restingSocket';
import type { HostSocket, DockerListener } from '../tunnel/socket';
import type { SuspendedRecord } from '../vm/suspended';

/**
 * A suspended engine, as the daemon holds it: the record of its saved VM, and the Docker socket answering
 * from the kept lists. What they cannot answer wakes an engine Resource Saver put to sleep (held until the
 * engine is up, then served by it), and is refused, saying how to resume, when the user suspended it.
 * Also the SSH session the suspend kept, for the resume to go on with (none after a daemon restart).
 */
export class Suspension {
  private socket: RestingSocket | null = null;
  private waiting: Array<{ local: Socket; head: Buffer; gone: () => void }> = [];
  /** Settles once the Docker socket answers (or could not be listened on, which is logged). */
  readonly resting: Promise<void>;
  /** The Engine API as the resting socket serves it: lists from what the suspend kept, anything else wakes or is refused. */
  docker: Docker | null = null;

  constructor(
    readonly record: SuspendedRecord,
    private session: SshLink | null,
    socketPath: string,
    private readonly wake: () => void,
    log: (line: string) => void,
  ) {
    const socket = new RestingSocket(socketPath, record.kept, (local, head) => this.unanswered(local, head));
    this.resting = socket.listen().then(
      async () => {
        this.socket = socket;
        this.docker = await engineClient(socketPath);
      },
      (error: Error) => log(`the Docker socket does not answer while suspended: ${error.message}`),
    );
  }

  private unanswered(local: Socket, head: Buffer): void {
    if (this.record.by === 'user') {
      const message = "Berth's engine is suspended: resume it with `berth start` (or Start in the window), then try again.";
      writeAnswer(local, { status: 503, headers: { 'content-type': 'application/json' }, body: `${JSON.stringify({ message })}\n` });
      return;
    }
    const gone = (): void => void (this.waiting = this.waiting.filter((entry) => entry.local !== local));
    this.waiting.push({ local, head, gone });
    local.once('close', gone);
    this.wake();
  }

  /** The kept SSH session, for the resume: from then on the resume owns it. */
  takeSession(): SshLink | null {
    const session = this.session;
    this.session = null;
    return session;
  }

  /** The listener, for the waking engine's HostSocket: the socket never stops answering. */
  async handover(): Promise<DockerListener | null> {
    await this.resting;
    return this.socket?.release() ?? null;
  }

  /** The requests that woke the engine, served by it now that it is up. */
  deliver(socket: HostSocket): void {
    for (const { local, head, gone } of this.waiting.splice(0)) {
      local.off('close', gone);
      socket.carry(local, head);
    }
  }

  /** Ends what is left: requests still waiting (the engine did not come up), the socket, and a session no resume took. */
  async end(): Promise<void> {
    this.takeSession()?.close();
    await this.resting;
    for (const { local } of this.waiting.splice(0)) local.destroy();
    await this.socket?.close();
    this.socket = null;
  }
}
