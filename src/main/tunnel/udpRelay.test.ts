import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, type Frame } from './frames';
import { relayCommand, UdpForward } from './udpRelay';

/**
 * An SSH link whose exec runs the command in a local shell: the relay script runs for real, with the
 * host's perl standing in for the guest's. The "guest" is 127.0.0.1 and the host listener 127.0.0.2.
 */
function localLink(started: string[]) {
  const client = {
    exec(command: string, callback: (error: Error | undefined, channel: Duplex) => void) {
      started.push(command);
      const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
      const channel = Duplex.from({ writable: child.stdin, readable: child.stdout }) as Duplex & { stderr: NodeJS.ReadableStream; close(): void };
      channel.stderr = child.stderr;
      channel.close = () => child.kill();
      child.once('exit', () => channel.emit('close'));
      callback(undefined, channel);
      return this;
    },
  };
  return { client: async () => client as never };
}

function bound(address: string, port = 0): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve) => socket.bind(port, address, () => resolve(socket)));
}

/** A UDP server that answers each datagram with "echo:" and what it got, from the port it listens on. */
async function echoServer(): Promise<Socket> {
  const server = await bound('127.0.0.1');
  server.on('message', (message, from) => server.send(Buffer.concat([Buffer.from('echo:'), message]), from.port, from.address));
  return server;
}

function nextMessage(socket: Socket, timeoutMs = 5_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no datagram came back')), timeoutMs);
    socket.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
  });
}

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((done) => done()));

describe('the UDP relay', () => {
  it('the guest script relays framed datagrams, one socket per peer, and frames the replies', async () => {
    const echo = await echoServer();
    cleanup.push(() => echo.close());
    const port = (echo.address() as { port: number }).port;
    const relay = spawn('sh', ['-c', relayCommand(port, 60)], { stdio: ['pipe', 'pipe', 'inherit'] });
    cleanup.push(() => relay.kill());
    const frames: Frame[] = [];
    const reader = new FrameReader((frame) => frames.push(frame));
    relay.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
    const seenFrom = new Set<number>();
    echo.on('message', (_message, from) => seenFrom.add(from.port));

    relay.stdin.write(Buffer.concat([encodeFrame(1, Buffer.from('one')), encodeFrame(2, Buffer.from('two'))]));
    relay.stdin.write(encodeFrame(1, Buffer.alloc(0)));
    await expect.poll(() => frames.length, { timeout: 5_000 }).toBe(3);
    expect(frames).toEqual(
      expect.arrayContaining([
        { peer: 1, payload: Buffer.from('echo:one') },
        { peer: 2, payload: Buffer.from('echo:two') },
        { peer: 1, payload: Buffer.from('echo:') },
      ]),
    );
    // Two peers, two sockets: the container can tell them apart.
    expect(seenFrom.size).toBe(2);

    const exited = new Promise((resolve) => relay.once('exit', resolve));
    relay.stdin.end();
    expect(await exited).toBe(0);
  });

  it('forwards a host peer through one relay per port and sends the reply back to that peer', async () => {
    const echo = await echoServer();
    cleanup.push(() => echo.close());
    const port = (echo.address() as { port: number }).port;
    const started: string[] = [];
    const forward = new UdpForward('127.0.0.2', port, localLink(started), () => undefined);
    await forward.open();
    cleanup.push(() => forward.close());

    const peers = await Promise.all([bound('127.0.0.1'), bound('127.0.0.1')]);
    cleanup.push(() => peers.forEach((peer) => peer.close()));
    for (const [index, peer] of peers.entries()) {
      const reply = nextMessage(peer);
      peer.send(`hello ${index}`, port, '127.0.0.2');
      expect((await reply).toString()).toBe(`echo:hello ${index}`);
    }
    expect(started).toHaveLength(1);
  });

  it('refuses a port another program holds, with the system error', async () => {
    const holder = await bound('127.0.0.2');
    cleanup.push(() => holder.close());
    const forward = new UdpForward('127.0.0.2', (holder.address() as { port: number }).port, localLink([]), () => undefined);
    await expect(forward.open()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    forward.close();
  });
});
