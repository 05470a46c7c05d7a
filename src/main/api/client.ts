import type { CallName, ChunkOf, EventName, Frame, InputOf, OpenOf, PayloadOf, ReplyOf, RequestOf, StreamName } from './contract';
import { BerthError } from './errors';

/** Where a stream's chunks go; `end` comes once, with null when the stream finished on its own. */
export interface StreamListener<S extends StreamName> {
  chunk(payload: ChunkOf<S>): void;
  end(error: BerthError | null): void;
}

/** An open stream, from the client's side: input for streams that take it, and cancel. */
export interface StreamHandle<S extends StreamName> {
  write(input: InputOf<S>): void;
  cancel(): void;
}

/** The contract seen from a client; the carrier underneath only moves frames. */
export class ContractClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly streams = new Map<number, StreamListener<StreamName>>();

  constructor(private readonly send: (frame: Frame) => void) {}

  invoke<C extends CallName>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ type: 'call', id, channel, request });
    });
  }

  on<E extends EventName>(channel: E, listener: (payload: PayloadOf<E>) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(channel, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  stream<S extends StreamName>(channel: S, request: OpenOf<S>, listener: StreamListener<S>): StreamHandle<S> {
    const id = this.nextId++;
    this.streams.set(id, listener as unknown as StreamListener<StreamName>);
    this.send({ type: 'open', id, channel, request });
    return {
      write: (payload) => {
        if (this.streams.has(id)) this.send({ type: 'input', id, payload });
      },
      cancel: () => {
        if (this.streams.delete(id)) this.send({ type: 'cancel', id });
      },
    };
  }

  receive(frame: Frame): void {
    if (frame.type === 'event') {
      for (const listener of this.listeners.get(frame.channel) ?? []) listener(frame.payload);
      return;
    }
    if (frame.type === 'chunk') {
      this.streams.get(frame.id)?.chunk(frame.payload as never);
      return;
    }
    if (frame.type === 'end') {
      const listener = this.streams.get(frame.id);
      this.streams.delete(frame.id);
      listener?.end(frame.error ? BerthError.fromWire(frame.error) : null);
      return;
    }
    if (frame.type !== 'reply') return;
    const waiter = this.pending.get(frame.id);
    if (!waiter) return;
    this.pending.delete(frame.id);
    if ('error' in frame) waiter.reject(BerthError.fromWire(frame.error));
    else waiter.resolve(frame.result);
  }

  /** The carrier is gone: every call still waiting fails with `error`, and every open stream ends with it. */
  fail(error: BerthError): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    for (const listener of streams) listener.end(error);
  }
}
