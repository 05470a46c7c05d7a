import { describe, expect, it } from 'vitest';
import type { Frame } from '../main/api/contract';
import { socketTransport, type SocketLike } from './socketTransport';

/** A socket a test opens, feeds and closes by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: Frame[] = [];
  private readonly listeners: Record<string, ((event: { data: unknown }) => void)[]> = {};

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as Frame);
  }

  addEventListener(type: string, listener: (event: { data: unknown }) => void): void {
    (this.listeners[type] ??= []).push(listener);
  }

  private fire(type: string, data?: unknown): void {
    for (const listener of this.listeners[type] ?? []) listener({ data });
  }

  open(): void {
    this.readyState = 1;
    this.fire('open');
  }

  receive(frame: Frame | string): void {
    this.fire('message', typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): void {
    this.readyState = 3;
    this.fire('close');
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('socketTransport', () => {
  it('queues calls until the socket opens, then carries them as call frames', async () => {
    const socket = new FakeSocket();
    const transport = socketTransport(() => socket);
    const reply = transport.invoke('ddClient.listImages', {});
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([{ type: 'call', id: 1, channel: 'ddClient.listImages', request: {} }]);
    socket.receive('not json');
    socket.receive({ type: 'reply', id: 1, result: [{ Id: 'i' }] });
    expect(await reply).toEqual([{ Id: 'i' }]);
  });

  it('rejects with the error of an error reply, as a plain object', async () => {
    const socket = new FakeSocket();
    socket.open();
    const transport = socketTransport(() => socket);
    const reply = transport.invoke('ddClient.navigate', { to: 'container', id: 'x' });
    socket.receive({ type: 'reply', id: 1, error: { name: 'NotFound', message: 'No container x.', hint: 'h' } });
    const error = await reply.catch((e: unknown) => e);
    expect(error).toEqual({ name: 'NotFound', message: 'No container x.', hint: 'h' });
    expect(error).not.toBeInstanceOf(Error);
  });

  it('opens streams, passes chunks and the end, and cancels', () => {
    const socket = new FakeSocket();
    socket.open();
    const transport = socketTransport(() => socket);
    const chunks: unknown[] = [];
    const ends: unknown[] = [];
    transport.stream('ddClient.exec', { scope: 'vm', command: 'ls', args: [] }, (c) => chunks.push(c), (e) => ends.push(e));
    expect(socket.sent[0]).toEqual({ type: 'open', id: 1, channel: 'ddClient.exec', request: { scope: 'vm', command: 'ls', args: [] } });
    socket.receive({ type: 'chunk', id: 1, payload: { stdout: 'a' } });
    socket.receive({ type: 'chunk', id: 1, payload: { exit: 0, signal: null } });
    socket.receive({ type: 'end', id: 1 });
    expect(chunks).toEqual([{ stdout: 'a' }, { exit: 0, signal: null }]);
    expect(ends).toEqual([null]);

    const handle = transport.stream('ddClient.exec', { scope: 'vm', command: 'top', args: [] }, () => {}, (e) => ends.push(e));
    handle.cancel();
    expect(socket.sent[2]).toEqual({ type: 'cancel', id: 2 });
    socket.receive({ type: 'end', id: 2, error: { name: 'Late', message: 'm', hint: 'h' } });
    expect(ends).toEqual([null]);
  });

  it('fails waiting calls and open streams when the socket closes, and every later call', async () => {
    const socket = new FakeSocket();
    const transport = socketTransport(() => socket);
    const waiting = transport.invoke('ddClient.listContainers', {});
    socket.open();
    const ends: unknown[] = [];
    transport.stream('ddClient.exec', { scope: 'docker', command: 'ps', args: [] }, () => {}, (e) => ends.push(e));
    socket.close();
    const closed = { name: 'BridgeClosed', message: expect.any(String) as string, hint: expect.any(String) as string };
    await expect(waiting).rejects.toEqual(closed);
    expect(ends).toEqual([closed]);
    await expect(transport.invoke('ddClient.listImages', {})).rejects.toEqual(closed);
    transport.stream('ddClient.exec', { scope: 'docker', command: 'ps', args: [] }, () => {}, (e) => ends.push(e));
    await tick();
    expect(ends).toEqual([closed, closed]);
  });

  it('fails every call when the socket cannot be made', async () => {
    const transport = socketTransport(() => {
      throw new Error('Refused by Content-Security-Policy');
    });
    await expect(transport.invoke('ddClient.listImages', {})).rejects.toMatchObject({ name: 'BridgeClosed' });
  });
});
