import { connect, type Socket } from 'node:net';

const BANNER = Buffer.from('SSH-');

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
        fail(new Error(`${path} answered without an SSH banner`));
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
