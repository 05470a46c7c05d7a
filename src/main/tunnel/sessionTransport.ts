import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * The byte stream an SSH session to the guest runs over, outliving the socket beneath it: a suspend saves
 * the guest (its sshd mid-session) and ends QEMU, whose serial port socket then closes; the resumed QEMU
 * offers a new one, and the session goes on over it with no new handshake.
 *
 * While frozen, what the session writes is kept in order and sent once a socket is put beneath again, and
 * the old socket's end is not the session's. What the old socket still delivers before it ends (the guest's
 * last bytes before the save) is passed on.
 */
export class SessionTransport extends Duplex {
  private socket: Socket;
  private frozen = false;
  private queued: Buffer[] = [];
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(socket: Socket) {
    super();
    this.socket = socket;
    this.attach(socket);
  }

  /** Bytes passed up from the guest and sent down to it, as a net.Socket counts them (for the link's Nudger). */
  get bytesRead(): number {
    return this.bytesIn;
  }

  get bytesWritten(): number {
    return this.bytesOut;
  }

  private attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (!this.push(chunk)) socket.pause();
    });
    // The end of a socket that is no longer beneath (or is about to be replaced) is not the session's.
    const ended = (): void => {
      if (socket === this.socket && !this.frozen) this.push(null);
    };
    socket.on('end', ended);
    socket.on('close', () => {
      ended();
      if (socket === this.socket && !this.frozen) this.destroy();
    });
    socket.on('error', (error: Error) => {
      if (socket === this.socket && !this.frozen) this.destroy(error);
    });
  }

  /** From now on writes are kept, and the socket beneath may end: the session waits for `thaw`. */
  freeze(): void {
    this.frozen = true;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /** Puts `socket` beneath (or keeps the current one), sends what was kept and passes writes on again. */
  thaw(socket: Socket = this.socket): void {
    if (socket !== this.socket) {
      const old = this.socket;
      this.socket = socket;
      old.destroy();
      this.attach(socket);
    }
    this.frozen = false;
    for (const chunk of this.queued.splice(0)) this.send(chunk);
    if (socket.destroyed) this.destroy(new Error('the serial port socket closed before the session could go on over it'));
  }

  private send(chunk: Buffer): void {
    this.bytesOut += chunk.length;
    this.socket.write(chunk);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.frozen) this.queued.push(chunk);
    else this.send(chunk);
    done();
  }

  override _read(): void {
    this.socket.resume();
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.frozen) this.socket.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.queued = [];
    this.socket.destroy();
    done(error);
  }
}
