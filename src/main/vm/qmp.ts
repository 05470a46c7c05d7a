import { createConnection, type Socket } from 'node:net';

/**
 * How long one command may go unanswered. Every command Berth sends answers at once (a migration is
 * started, then polled), so silence this long means QEMU's monitor is stuck: the connection is given up
 * and the caller told which command hung, rather than waiting on it for ever.
 */
export const QMP_ANSWER_MS = 30_000;

/** A minimal QEMU Machine Protocol client: enough to power the guest down and to quit. */
export class Qmp {
  private buffer = '';
  private waiting: Array<(reply: Record<string, unknown>) => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      this.buffer += data;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (!line) continue;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // Not QMP: nothing more on this connection can be trusted.
          socket.destroy();
          return;
        }
        if ('return' in message || 'error' in message) this.waiting.shift()?.(message);
      }
    });
    socket.on('error', () => this.rejectAll());
    socket.on('close', () => this.rejectAll());
  }

  private rejectAll(): void {
    for (const waiter of this.waiting.splice(0)) waiter({ error: { desc: 'QMP connection closed' } });
  }

  static async connect(path: string, timeoutMs = 2_000, greetingMs = 10_000): Promise<Qmp> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const conn = createConnection(path);
      const timer = setTimeout(() => {
        conn.destroy();
        reject(new Error(`QMP socket ${path} did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      conn.once('connect', () => {
        clearTimeout(timer);
        resolve(conn);
      });
      conn.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const qmp = new Qmp(socket);
    // QEMU takes one monitor client at a time: a socket that connected may still wait behind another client.
    await qmp.execute('qmp_capabilities', undefined, greetingMs).catch((error: Error) => {
      qmp.close();
      throw error;
    });
    return qmp;
  }

  execute(command: string, args?: Record<string, unknown>, timeoutMs = QMP_ANSWER_MS): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let timedOut = false;
      // Answers come in order, so a command left unanswered leaves the connection unusable: it is closed.
      const timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`QMP ${command}: QEMU did not answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`));
        this.socket.destroy();
      }, timeoutMs);
      this.waiting.push((reply) => {
        clearTimeout(timer);
        if (timedOut) return;
        if ('error' in reply) reject(new Error(`QMP ${command}: ${JSON.stringify(reply.error)}`));
        else resolve(reply.return);
      });
      this.socket.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
