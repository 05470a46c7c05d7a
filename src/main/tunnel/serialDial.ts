import { connect, type Socket } from 'node:net';

const BANNER = Buffer.from('SSH-');

/** How long a connection must stay quiet before what an earlier session left counts as all read. */
const STALE_QUIET_MS = 250;

/**
 * Reads and drops what an sshd of an earlier connection still had to send (after a freeze of the VM it
 * can be kilobytes), until the port stays quiet: that sshd cannot see its host leave while its writes are
 * blocked, and would hand its leftovers to every later connection.
 */
function drainStale(socket: Socket, quiet: () => void): void {
  let timer = setTimeout(quiet, STALE_QUIET_MS);
  socket.on('data', () => {
    clearTimeout(timer);
    timer = setTimeout(quiet, STALE_QUIET_MS);
  });
  socket.once('close', () => clearTimeout(timer));
}

/**
 * Connects to QEMU's end of the guest's serial SSH port and resolves once a fresh sshd has sent its
 * banner, with the banner put back and the socket paused for the SSH client to resume.
 * Nothing is written before the banner: an sshd left from the previous connection (it has not yet
 * seen that connection end) would take the client's first bytes as its own. A connection that stays
 * silent is dropped instead, which also ends that sshd.
 */
export function dialSerial(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no SSH banner on ${path} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', fail);
    socket.once('close', () => fail(new Error(`${path} closed before an SSH banner`)));
    socket.once('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, BANNER.length);
      if (!head.equals(BANNER.subarray(0, head.length))) {
        drainStale(socket, () => fail(new Error(`${path} answered with what an earlier SSH session left unsent (read and dropped)`)));
        return;
      }
      clearTimeout(timer);
      socket.removeAllListeners('error').removeAllListeners('close');
      socket.pause();
      socket.unshift(chunk);
      resolve(socket);
    });
  });
}
