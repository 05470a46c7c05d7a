import { createServer, type Server, type Socket } from 'node:net';
import type { EventName, Frame, PayloadOf } from '../api/contract';
import { dispatch, type Handlers } from '../api/dispatch';
import { StreamSessions, type StreamHandlers } from '../api/streams';
import { listenPrivately } from '../tunnel/socket';
import { onJsonLines, writeJsonLine } from './lines';

/**
 * The daemon's end of the contract: a Unix socket only the user can open, or on Windows a named pipe that
 * other users may open only to read. A connection becomes a client, counted and told the events, once it
 * has written something (connectDaemon writes an empty line first): one that cannot write is told nothing.
 */
export class ControlServer {
  private server: Server | null = null;
  private unlink = (): void => undefined;
  private readonly open = new Set<Socket>();
  readonly clients = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly handlers: Handlers,
    private readonly streams: StreamHandlers,
    private readonly onClientsChanged: () => void,
  ) {}

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.open.add(socket);
      socket.once('data', () => {
        this.clients.add(socket);
        this.onClientsChanged();
      });
      const sessions = new StreamSessions(this.streams, (frame) => writeJsonLine(socket, frame));
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        sessions.closeAll();
        this.open.delete(socket);
        if (this.clients.delete(socket)) this.onClientsChanged();
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
    for (const socket of this.open) socket.destroy();
    this.server?.close();
    this.unlink();
  }
}
