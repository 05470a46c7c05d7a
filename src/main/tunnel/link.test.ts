import { connect, createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import type { BerthError } from '../api/errors';
import { runInGuest } from './guestCommand';
import { SshLink } from './link';

let server: Server | null = null;
let sshd: InstanceType<typeof ssh2.Server> | null = null;
let dir: string | null = null;
afterEach(() => {
  server?.close();
  sshd?.close();
  sshd = null;
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

  it('pins the first host key, and refuses another one at once with what to do', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bt-link-'));
    const knownHostFile = join(dir, 'known_host');
    const first = await sshServer(ssh2.utils.generateKeyPairSync('ed25519').private);
    const link = new SshLink({ to: { port: first }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile, log: () => undefined });
    await link.open(5_000);
    link.close();
    const pinned = readFileSync(knownHostFile, 'utf8').trim();
    expect(pinned).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
    sshd!.close();

    const other = await sshServer(ssh2.utils.generateKeyPairSync('ed25519').private);
    const said: string[] = [];
    const refused = new SshLink({ to: { port: other }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile, log: (line) => said.push(line) });
    const began = Date.now();
    const error = await refused.open(20_000).catch((thrown: unknown) => thrown);
    // At once: well before the 20 s the link would otherwise keep dialling (the margin is for a loaded machine).
    expect(Date.now() - began).toBeLessThan(10_000);
    expect(error).toMatchObject({ name: 'GuestHostKeyChanged' });
    expect((error as BerthError).message).toContain(`is not the one pinned in ${knownHostFile} (${pinned})`);
    expect((error as BerthError).hint).toContain(`remove ${knownHostFile} and start again`);
    expect(said).toContain((error as BerthError).message);
    await expect(refused.client(100)).rejects.toMatchObject({ name: 'GuestHostKeyChanged' });
    refused.close();
    expect(readFileSync(knownHostFile, 'utf8').trim()).toBe(pinned);
  });

  it('pins anew over a pin file cut short by a crash', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bt-link-'));
    const knownHostFile = join(dir, 'known_host');
    writeFileSync(knownHostFile, 'SHA256:abc');
    const port = await sshServer(ssh2.utils.generateKeyPairSync('ed25519').private);
    const link = new SshLink({ to: { port }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile, log: () => undefined });
    await link.open(5_000);
    link.close();
    expect(readFileSync(knownHostFile, 'utf8').trim()).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
  });

  it('over the serial port sends its own keepalives, which the server answers', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bt-link-'));
    const serialSocket = join(dir, 'ssh.sock');
    let keepalives = 0;
    sshd = new ssh2.Server(
      { hostKeys: [ssh2.utils.generateKeyPairSync('ed25519').private], debug: (line) => (keepalives += line.includes('keepalive@openssh.com') ? 1 : 0) },
      (client) => {
        client.on('error', () => undefined);
        client.on('authentication', (context) => (context.method === 'publickey' ? context.accept() : context.reject(['publickey'])));
      },
    );
    // QEMU's end of the port: a Unix socket whose peer speaks first, like the guest's sshd.
    server = createServer((socket) => sshd!.injectSocket(socket));
    await new Promise<void>((resolve) => server!.listen(serialSocket, resolve));
    const said: string[] = [];
    const link = new SshLink({ to: { serialSocket }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile: join(dir, 'known_host'), log: (line) => said.push(line), nudge: 'always' });
    await link.open(5_000);
    const client = await link.client();
    // One every 200 ms (a loaded machine fires them later: waited for, not counted in a fixed second), and the
    // link stays up meanwhile: their answers are taken.
    await expect.poll(() => keepalives, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(await link.client()).toBe(client);
    expect(said.filter((line) => line.includes('lost'))).toEqual([]);
    link.close();
  });

  it('keeps its session through a freeze while the serial socket beneath is replaced, and sends what was written meanwhile', async () => {
    dir = mkdtempSync(join(tmpdir(), 'bt-link-'));
    let handshakes = 0;
    const commands: string[] = [];
    sshd = new ssh2.Server({ hostKeys: [ssh2.utils.generateKeyPairSync('ed25519').private] }, (client) => {
      handshakes += 1;
      client.on('error', () => undefined);
      client.on('authentication', (context) => (context.method === 'publickey' ? context.accept() : context.reject(['publickey'])));
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec, _reject, info) => {
          commands.push(info.command);
          const stream = acceptExec();
          stream.exit(0);
          stream.end();
        }),
      );
      // What a channel to a socket path meets in a guest where nothing listens there.
      client.on('openssh.streamlocal', (_accept, reject) => reject());
    });
    // The guest's end of the serial port: one connection, which outlives the host's sockets (QEMU's).
    const guestEnd = join(dir, 'guest.sock');
    await new Promise<void>((resolve) => sshd!.listen(guestEnd, resolve));
    const guest = connect(guestEnd);
    let host: Socket | null = null;
    guest.on('data', (chunk) => host?.write(chunk));
    const qemu = async (path: string): Promise<Server> => {
      const port = createServer((socket) => {
        host = socket;
        socket.on('data', (chunk) => guest.write(chunk));
      });
      await new Promise<void>((resolve) => port.listen(path, resolve));
      return port;
    };
    const first = await qemu(join(dir, 'ssh.sock'));
    const link = new SshLink({ to: { serialSocket: join(dir, 'ssh.sock') }, privateKey, ciphers: ['aes128-gcm@openssh.com'], knownHostFile: join(dir, 'known_host'), log: () => undefined });
    await link.open(5_000);
    await runInGuest(link, 'before', { hint: '', timeoutMs: 5_000 });

    await link.freeze();
    // Asked while frozen: its channel's opening waits, in order, for the socket to come.
    const during = runInGuest(link, 'during', { hint: '', timeoutMs: 10_000 });
    await new Promise((done) => setTimeout(done, 200));
    expect(commands).toEqual(['before']);
    // QEMU ends, and its socket with it; the link takes no notice.
    host!.destroy();
    first.close();
    const second = await qemu(join(dir, 'ssh2.sock'));
    const socket = connect(join(dir, 'ssh2.sock'));
    await new Promise((resolve) => socket.once('connect', resolve));
    link.thaw(socket);
    await during;
    expect(commands).toEqual(['before', 'during']);
    expect(await link.answers(2_000)).toBe(true);
    expect(handshakes).toBe(1);
    link.close();
    guest.destroy();
    second.close();
  });
});

/** An SSH server on loopback with `hostKey` that lets any public key in: enough for the link's handshake. */
function sshServer(hostKey: string): Promise<number> {
  sshd = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (context) => (context.method === 'publickey' ? context.accept() : context.reject(['publickey'])));
  });
  return new Promise((resolve) => sshd!.listen(0, '127.0.0.1', () => resolve((sshd!.address() as { port: number }).port)));
}
