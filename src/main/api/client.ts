import type { CallName, EventName, Frame, PayloadOf, ReplyOf, RequestOf } from './contract';
import { BerthError } from './errors';

/** The contract seen from a client; the carrier underneath only moves frames. */
export class ContractClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

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

  receive(frame: Frame): void {
    if (frame.type === 'event') {
      for (const listener of this.listeners.get(frame.channel) ?? []) listener(frame.payload);
      return;
    }
    if (frame.type !== 'reply') return;
    const waiter = this.pending.get(frame.id);
    if (!waiter) return;
    this.pending.delete(frame.id);
    if ('error' in frame) waiter.reject(BerthError.fromWire(frame.error));
    else waiter.resolve(frame.result);
  }

  /** The carrier is gone: every call still waiting fails with `error`. */
  fail(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
