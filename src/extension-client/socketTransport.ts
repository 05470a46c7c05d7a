import { ContractClient } from '../main/api/client';
import type { CallName, Frame, StreamName } from '../main/api/contract';
import { BerthError } from '../main/api/errors';
import { plainError } from './exec';
import type { Transport } from './types';

/** The part of a browser WebSocket the transport uses, so a test can stand in for one. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;

const bridgeClosed = () =>
  new BerthError('BridgeClosed', 'The connection to Berth closed.', 'Reload the page; if that does not help, check that Berth is still running.');

/**
 * The ddClient transport of a page in a browser: the contract's frames as JSON over one WebSocket to the
 * page's own origin (`connect` opens it). Frames sent before the socket opens wait for it; once it closes every call fails.
 */
export function socketTransport(connect: () => SocketLike): Transport {
  let queue: string[] | null = [];
  let closed = false;
  let socket: SocketLike;
  try {
    socket = connect();
  } catch {
    // A page's Content-Security-Policy can forbid the socket: the client still exists, and every call says why it fails.
    closed = true;
    socket = { readyState: 3, send: () => {}, addEventListener: () => {} };
  }
  const client = new ContractClient((frame: Frame) => {
    const text = JSON.stringify(frame);
    if (queue) queue.push(text);
    else if (socket.readyState === OPEN) socket.send(text);
  });
  const flush = () => {
    const waiting = queue ?? [];
    queue = null;
    for (const text of waiting) socket.send(text);
  };
  if (socket.readyState === OPEN) flush();
  socket.addEventListener('open', flush);
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let frame: Frame;
    try {
      frame = JSON.parse(event.data) as Frame;
    } catch {
      return;
    }
    client.receive(frame);
  });
  socket.addEventListener('close', () => {
    closed = true;
    queue = null;
    client.fail(bridgeClosed());
  });

  return {
    async invoke(channel, request) {
      if (closed) throw plainError(bridgeClosed());
      try {
        return await client.invoke(channel as CallName, request as never);
      } catch (error) {
        throw plainError(error);
      }
    },
    stream(channel, request, onChunk, onEnd) {
      if (closed) {
        void Promise.resolve().then(() => onEnd(plainError(bridgeClosed())));
        return { cancel: () => {} };
      }
      const handle = client.stream(channel as StreamName, request as never, {
        chunk: (payload) => onChunk(payload),
        end: (error) => onEnd(error ? plainError(error) : null),
      });
      return { cancel: () => handle.cancel() };
    },
  };
}
