import { createServer, type Server, type Socket } from 'node:net';
import { pipeline } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { SshLink } from './link';

/** Resolves once `server` listens, or rejects with why it cannot. */
export function listenOn(server: Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * One published TCP port: each connection on the host becomes a direct-tcpip channel to the same port
 * on the guest's loopback, where dockerd's proxy answers for the container.
 */
export class TcpForward {
  private readonly server: Server;
  private readonly open_ = new Set<Socket>();
  private closed = false;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly link: Pick<SshLink, 'client'>,
    private readonly log: (line: string) => void,
  ) {
    // Half-open: a client that has sent its whole request may still be reading the answer.
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (local) => this.carry(local));
  }

  async open(): Promise<void> {
    await listenOn(this.server, this.address, this.port);
    this.server.on('error', (error) => this.log(`port ${this.port}/tcp: ${error.message}`));
  }

  private carry(local: Socket): void {
    if (this.closed) return void local.destroy();
    this.open_.add(local);
    local.once('close', () => this.open_.delete(local));
    local.on('error', () => undefined);
    local.pause();
    this.channel().then(
      (channel) => {
        if (local.destroyed) return void channel.close();
        join(local, channel, (error) => this.log(`port ${this.port}/tcp connection: ${error.message}`));
        local.resume();
      },
      (error: Error) => {
        // Nothing answers in the guest (the container is stopping) or no link: the client sees its connection reset.
        this.log(`port ${this.port}/tcp: cannot reach the guest: ${error.message}`);
        local.resetAndDestroy();
      },
    );
  }

  private async channel(): Promise<ClientChannel> {
    const client = await this.link.client(5_000);
    return new Promise((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, '127.0.0.1', this.port, (error, channel) => (error ? reject(error) : resolve(channel))),
    );
  }

  close(): void {
    this.closed = true;
    this.server.close();
    for (const socket of this.open_) socket.destroy();
    this.open_.clear();
  }
}

/**
 * Pipes a host socket and a guest channel both ways with backpressure. Each direction ends only its own
 * side; both are torn down once both directions are done, or at the first error.
 */
export function join(local: Socket, channel: ClientChannel, report: (error: Error) => void): void {
  let directions = 2;
  const finished = (error?: Error | null): void => {
    if (error && error.message !== 'Premature close' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') report(error);
    directions -= 1;
    if (error || directions === 0) {
      local.destroy();
      channel.close();
    }
  };
  pipeline(local, channel, finished);
  pipeline(channel, local, finished);
}
