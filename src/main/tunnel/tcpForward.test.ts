import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpForward } from './tcpForward';

/** An SSH link whose direct-tcpip channel is a plain connection to the same port on 127.0.0.1 (the "guest"). */
function localLink(opened: number[]) {
  const client = {
    forwardOut(_srcIp: string, _srcPort: number, dstIp: string, dstPort: number, callback: (error: Error | undefined, channel?: Socket) => void) {
      opened.push(dstPort);
      const socket = connect({ host: dstIp, port: dstPort, allowHalfOpen: true });
      socket.once('connect', () => callback(undefined, Object.assign(socket, { close: () => socket.destroy() })));
      socket.once('error', (error) => callback(error));
      return this;
    },
  };
  return { client: async () => client as never };
}

function listening(server: Server, host: string, port = 0): Promise<number> {
  return new Promise((resolve) => server.listen(port, host, () => resolve((server.address() as { port: number }).port)));
}

/** Sends `request`, half-closes, and collects everything until the other side ends. */
function exchange(port: number, request: Buffer | string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.2', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
    socket.end(request);
  });
}

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((done) => done()));

describe('a forwarded TCP port', () => {
  it('carries each connection both ways, a half-closed client still reading the whole answer', async () => {
    // The "container": answers after the client has finished sending, as an HTTP/1.0 server may.
    const guest = createServer({ allowHalfOpen: true }, (socket) => {
      const got: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => got.push(chunk));
      socket.on('end', () => socket.end(Buffer.concat([Buffer.from('got '), Buffer.from(String(Buffer.concat(got).length))])));
    });
    const port = await listening(guest, '127.0.0.1');
    cleanup.push(() => guest.close());
    const opened: number[] = [];
    const forward = new TcpForward('127.0.0.2', port, localLink(opened), () => undefined);
    await forward.open();
    cleanup.push(() => forward.close());

    expect((await exchange(port, 'hello')).toString()).toBe('got 5');
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    expect((await exchange(port, big)).toString()).toBe(`got ${big.length}`);
    expect(opened).toEqual([port, port]);
  });

  it('resets a connection when nothing answers in the guest', async () => {
    const probe = createServer();
    const port = await listening(probe, '127.0.0.1');
    await new Promise((done) => probe.close(done));
    const forward = new TcpForward('127.0.0.2', port, localLink([]), () => undefined);
    await forward.open();
    cleanup.push(() => forward.close());
    await expect(exchange(port, 'anyone?')).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('stops listening once closed, and refuses a port another program holds', async () => {
    const holder = createServer();
    const port = await listening(holder, '127.0.0.2');
    const refused = new TcpForward('127.0.0.2', port, localLink([]), () => undefined);
    await expect(refused.open()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    refused.close();
    await new Promise((done) => holder.close(done));

    const forward = new TcpForward('127.0.0.2', port, localLink([]), () => undefined);
    await forward.open();
    forward.close();
    await expect(exchange(port, 'x')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
