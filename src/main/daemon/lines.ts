import type { Socket } from 'node:net';

/** Newline-delimited JSON on a stream socket: how frames travel over the control socket. */
export function onJsonLines(socket: Socket, handle: (value: unknown) => void): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (data: string) => {
    pending += data;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (!line.trim()) continue;
      try {
        handle(JSON.parse(line));
      } catch {
        socket.destroy();
        return;
      }
    }
  });
}

export function writeJsonLine(socket: Socket, value: unknown): void {
  if (!socket.destroyed) socket.write(`${JSON.stringify(value)}\n`);
}
