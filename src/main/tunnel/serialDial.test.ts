import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dialSerial } from './serialDial';

/** A stand-in for QEMU's end of the serial port: `guest` decides what the other side does. */
function port(guest: (socket: Socket, heard: Buffer[]) => void): { path: string; heard: Buffer[]; server: Server } {
  const dir = mkdtempSync(join(tmpdir(), 'bt-serial-'));
  const path = join(dir, 'ssh.sock');
  const heard: Buffer[] = [];
  const server = createServer((socket) => {
    socket.on('data', (chunk: Buffer) => heard.push(chunk));
    socket.on('error', () => undefined);
    guest(socket, heard);
  }).listen(path);
  cleanups.push(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, heard, server };
}

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('dialSerial', () => {
  it('hands over the connection with the banner still to be read, having written nothing', async () => {
    const guest = port((socket) => socket.write('SSH-2.0-OpenSSH_10.0\r\nrest'));
    const socket = await dialSerial(guest.path, 2_000);
    const read = await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())).resume());
    expect(read).toBe('SSH-2.0-OpenSSH_10.0\r\nrest');
    expect(guest.heard).toEqual([]);
    socket.destroy();
  });

  it('drops a connection that stays silent (an sshd left from the previous one)', async () => {
    let closed = false;
    const guest = port((socket) => socket.once('close', () => (closed = true)));
    await expect(dialSerial(guest.path, 200)).rejects.toThrow(/no SSH banner .* within 200 ms/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(guest.heard).toEqual([]);
  });

  it('reads all that an earlier session left before refusing the connection, so that session can end', async () => {
    let lastWrite = 0;
    let closedAt = 0;
    const guest = port((socket) => {
      socket.once('close', () => (closedAt = Date.now()));
      socket.write(Buffer.from([0, 0, 1, 0x14, 7]));
      // More comes while the port is read: the refusal waits for the port to go quiet.
      setTimeout(() => socket.write(Buffer.alloc(64 * 1024, 1), () => (lastWrite = Date.now())), 150);
    });
    await expect(dialSerial(guest.path, 2_000)).rejects.toThrow(/left unsent \(read and dropped\)/);
    await expect.poll(() => closedAt).toBeGreaterThan(0);
    expect(lastWrite).toBeGreaterThan(0);
    expect(closedAt).toBeGreaterThanOrEqual(lastWrite);
  });

  it('says when nothing listens there', async () => {
    await expect(dialSerial(join(tmpdir(), 'bt-no-such-dir', 'ssh.sock'), 2_000)).rejects.toThrow(/ENOENT/);
  });
});
