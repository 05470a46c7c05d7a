import type { Transport, WireError } from './types';

/** A stream the client opened, which a unit test feeds by hand. */
export interface FakeStream {
  channel: string;
  request: Record<string, unknown>;
  chunk(payload: unknown): void;
  end(error: WireError | null): void;
  cancelled: boolean;
}

/** A transport for unit tests: it records what the client sends and answers calls with `answer`. */
export class FakeTransport implements Transport {
  readonly calls: { channel: string; request: Record<string, unknown> }[] = [];
  readonly streams: FakeStream[] = [];

  constructor(private readonly answer: (channel: string, request: Record<string, unknown>) => unknown = () => ({})) {}

  async invoke(channel: string, request: object): Promise<unknown> {
    this.calls.push({ channel, request: request as Record<string, unknown> });
    return this.answer(channel, request as Record<string, unknown>);
  }

  stream(channel: string, request: object, onChunk: (payload: unknown) => void, onEnd: (error: WireError | null) => void): { cancel(): void } {
    const stream: FakeStream = { channel, request: request as Record<string, unknown>, chunk: onChunk, end: onEnd, cancelled: false };
    this.streams.push(stream);
    return { cancel: () => (stream.cancelled = true) };
  }

  lastStream(): FakeStream {
    const stream = this.streams[this.streams.length - 1];
    if (!stream) throw new Error('No stream was opened.');
    return stream;
  }

  lastCall(): { channel: string; request: Record<string, unknown> } {
    const call = this.calls[this.calls.length - 1];
    if (!call) throw new Error('No call was made.');
    return call;
  }
}

export const context = { image: 'acme/tool:1.2.0', platform: 'linux', arch: 'x64', hostname: 'host-1' };
