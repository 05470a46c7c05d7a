import { createConnection, type Socket } from 'node:net';

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
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('return' in message || 'error' in message) this.waiting.shift()?.(message);
      }
    });
    socket.on('error', () => this.rejectAll());
    socket.on('close', () => this.rejectAll());
  }

  private rejectAll(): void {
    for (const waiter of this.waiting.splice(0)) waiter({ error: { desc: 'QMP connection closed' } });
  }

  static async connect(path: string, timeoutMs = 2_000): Promise<Qmp> {
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
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting.push((reply) => {
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
