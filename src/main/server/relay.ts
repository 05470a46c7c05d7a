import type { RawData, WebSocket } from 'ws';
import type { StreamHandle } from '../api/client';
import type { Frame, StreamName } from '../api/contract';
import { toWire } from '../api/errors';
import type { Link } from '../daemon/link';
import type { Admit } from '../window/admit';
import { guard } from './respond';

type ClientFrame = Extract<Frame, { type: 'call' | 'open' | 'input' | 'cancel' }>;
const clientFrames = new Set(['call', 'open', 'input', 'cancel']);

/** Only the shape is checked here; channels, requests and input are checked by the link and the daemon. */
function parseClientFrame(text: string): ClientFrame | null {
  try {
    const frame = JSON.parse(text) as Partial<ClientFrame> | null;
    return frame && clientFrames.has(String(frame.type)) && typeof frame.id === 'number' ? (frame as ClientFrame) : null;
  } catch {
    return null;
  }
}

export function sendFrame(ws: WebSocket, frame: Frame): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}

/** Carries one socket's calls and streams to the daemon; streams it left open end with it. */
export function relaySocket(ws: WebSocket, link: Link, admit: Admit): void {
  const streams = new Map<number, StreamHandle<StreamName>>();
  ws.on('close', () => {
    for (const handle of streams.values()) handle.cancel();
    streams.clear();
  });
  const relayFrame = (data: RawData, isBinary: boolean): void => {
    const frame = isBinary ? null : parseClientFrame(data.toString());
    if (!frame) return ws.close(1008, 'expected a call or stream frame');
    const { id } = frame;
    if (frame.type === 'call') {
      Promise.resolve()
        .then(() => link.forward(frame.channel, admit(frame.channel, frame.request)))
        .then(
          (result) => sendFrame(ws, { type: 'reply', id, result }),
          (error: unknown) => sendFrame(ws, { type: 'reply', id, error: toWire(error) }),
        );
    } else if (frame.type === 'open' && !streams.has(id)) {
      let request: unknown;
      try {
        request = admit(frame.channel, frame.request);
      } catch (error) {
        return sendFrame(ws, { type: 'end', id, error: toWire(error) });
      }
      const handle = link.stream(frame.channel, request, {
        chunk: (payload) => sendFrame(ws, { type: 'chunk', id, payload }),
        end: (error) => {
          streams.delete(id);
          sendFrame(ws, error ? { type: 'end', id, error: toWire(error) } : { type: 'end', id });
        },
      });
      streams.set(id, handle);
    } else if (frame.type === 'input') {
      streams.get(id)?.write(frame.payload as never);
    } else if (frame.type === 'cancel') {
      streams.get(id)?.cancel();
      streams.delete(id);
    }
  };
  ws.on('message', (data: RawData, isBinary: boolean) =>
    guard('a WebSocket frame', () => relayFrame(data, isBinary), () => ws.close(1011, 'Berth could not handle that frame.')),
  );
}
