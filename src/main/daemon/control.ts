import { createServer, type Server, type Socket } from 'node:net';
import type { EventName, Frame, PayloadOf } from '../api/contract';
import { dispatch, type Handlers } from '../api/dispatch';
import { StreamSessions, type StreamHandlers } from '../api/streams';
import { listenPrivately } from '../tunnel/socket';
import { onJsonLines, writeJsonLine } from './lines';

/** The daemon's end of the contract: a Unix socket only the user can open. */
export class ControlServer {
  private server: Server | null = null;
  private unlink = (): void => undefined;
  readonly clients = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly handlers: Handlers,
    private readonly streams: StreamHandlers,
    private readonly onClientsChanged: () => void,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.clients.add(socket);
      this.onClientsChanged();
      const sessions = new StreamSessions(this.streams, (frame) => writeJsonLine(socket, frame));
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        sessions.closeAll();
        this.clients.delete(socket);
        this.onClientsChanged();
      });
      onJsonLines(socket, (frame) => {
        if (sessions.receive(frame as Frame)) return;
        void dispatch(this.handlers, frame).then((reply) => reply && writeJsonLine(socket, reply));
      });
    });
    this.unlink = await listenPrivately(server, this.path, 'control socket');
    this.server = server;
  }

  broadcast<E extends EventName>(channel: E, payload: PayloadOf<E>): void {
    for (const socket of this.clients) writeJsonLine(socket, { type: 'event', channel, payload });
  }

  close(): void {
    for (const socket of this.clients) socket.destroy();
    this.server?.close();
    this.unlink();
  }
}
