import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { SshLink } from './link';

let server: Server | null = null;
let dir: string | null = null;
afterEach(() => {
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = dir = null;
});

const privateKey = ssh2.utils.generateKeyPairSync('ed25519').private;

/** What a port does while the guest's sshd is not (or no longer) there. */
const drops: Array<[string, (socket: Socket) => void]> = [
  ['resets every connection', (socket) => socket.resetAndDestroy()],
  ['closes every connection', (socket) => socket.end()],
  ['sends a banner, then closes', (socket) => socket.end('SSH-2.0-OpenSSH_10.0\r\n')],
];

describe('SshLink', () => {
  it.each(drops)('keeps dialling until its deadline, with no uncaught error, while the port %s', async (_, drop) => {
    let accepted = 0;
    server = createServer((socket) => {
      accepted += 1;
      socket.on('error', () => undefined);
      drop(socket);
    });
    const port = await new Promise<number>((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as { port: number }).port)));
    dir = mkdtempSync(join(tmpdir(), 'bt-link-'));
    const link = new SshLink({ to: { port }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile: join(dir, 'known_host'), log: () => undefined });
    const began = Date.now();
    await expect(link.open(1_500)).rejects.toThrow(/did not accept Berth's key/);
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(accepted).toBeGreaterThan(1);
    link.close();
  });
});
