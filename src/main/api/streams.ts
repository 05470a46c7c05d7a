import type { z } from 'zod';
import type { Stream } from './channel';
import { contract, isStream, unknownChannel, type Contract, type Frame, type StreamName } from './contract';
import { BerthError, toWire } from './errors';

type Def<S extends StreamName> = Contract[S] extends Stream<infer Req, infer Chunk, infer Input> ? { request: Req; chunk: Chunk; input: Input } : never;
type InputParsed<S extends StreamName> = Def<S>['input'] extends z.ZodType ? z.output<Def<S>['input']> : never;

/** What a stream's handler works with: where its chunks go, when to stop, and the client's input. */
export interface StreamSession<S extends StreamName> {
  send(chunk: z.input<Def<S>['chunk']>): void;
  /** Aborted when the client cancels or goes away; the handler then stops and releases what it holds. */
  readonly signal: AbortSignal;
  onInput(listener: (input: InputParsed<S>) => void): void;
}

export type StreamHandlers = {
  [S in StreamName]: (request: z.output<Def<S>['request']>, session: StreamSession<S>) => Promise<void>;
};

interface Open {
  abort: AbortController;
  channel: string;
  input: z.ZodType | null;
  inputs: ((input: unknown) => void)[];
  /** Input that came before the handler listened (it may still be connecting to the engine), kept for it in order. */
  early: unknown[];
}

const EARLY_INPUT_MAX = 1000;

const brokenChunk = (channel: string, detail: string): BerthError =>
  new BerthError('InvalidReply', `The daemon's data on ${channel} broke the contract: ${detail}`, 'This is a bug in Berth; the daemon log has the details.');

/**
 * The streams one client has open, on the daemon's side: every chunk and input is checked against the
 * contract, and a client that goes away takes its streams with it.
 */
export class StreamSessions {
  private readonly open = new Map<number, Open>();

  constructor(
    private readonly handlers: StreamHandlers,
    private readonly write: (frame: Frame) => void,
  ) {}

  /** Takes an open, input or cancel frame; false for any other frame. */
  receive(frame: Frame): boolean {
    if (frame.type === 'open') this.start(frame.id, frame.channel, frame.request);
    else if (frame.type === 'input') this.input(frame.id, frame.payload);
    else if (frame.type === 'cancel') this.stop(frame.id);
    else return false;
    return true;
  }

  closeAll(): void {
    for (const id of [...this.open.keys()]) this.stop(id);
  }

  get size(): number {
    return this.open.size;
  }

  private end(id: number, error?: unknown): void {
    if (!this.open.has(id)) return;
    this.stop(id);
    this.write(error === undefined ? { type: 'end', id } : { type: 'end', id, error: toWire(error) });
  }

  private stop(id: number): void {
    this.open.get(id)?.abort.abort();
    this.open.delete(id);
  }

  private start(id: number, channel: unknown, request: unknown): void {
    if (typeof id !== 'number' || this.open.has(id)) return;
    const entry: Open = { abort: new AbortController(), channel: String(channel), input: null, inputs: [], early: [] };
    this.open.set(id, entry);
    if (typeof channel !== 'string' || !isStream(channel)) return this.end(id, unknownChannel(channel));
    const def = contract[channel] as unknown as Stream<z.ZodType, z.ZodType, z.ZodType | null>;
    entry.input = def.input;
    const session: StreamSession<StreamName> = {
      send: (chunk: unknown) => {
        if (this.open.get(id) !== entry) return;
        const checked = def.chunk.safeParse(chunk);
        if (!checked.success) return this.end(id, brokenChunk(channel, checked.error.message));
        this.write({ type: 'chunk', id, payload: checked.data });
      },
      signal: entry.abort.signal,
      onInput: (listener) => {
        entry.inputs.push(listener as (input: unknown) => void);
        for (const input of entry.early.splice(0)) (listener as (input: unknown) => void)(input);
      },
    };
    const handler = this.handlers[channel] as (request: unknown, session: StreamSession<StreamName>) => Promise<void>;
    Promise.resolve()
      .then(() => handler(def.request.parse(request ?? {}), session))
      .then(
        () => this.open.get(id) === entry && this.end(id),
        (error: unknown) => this.open.get(id) === entry && this.end(id, error),
      );
  }

  private input(id: number, payload: unknown): void {
    const entry = this.open.get(id);
    if (!entry) return;
    if (!entry.input) {
      return this.end(id, new BerthError('NoInput', `The stream ${entry.channel} takes no input.`, 'This is a bug in the window; reload it.'));
    }
    const checked = entry.input.safeParse(payload);
    if (!checked.success) return this.end(id, checked.error);
    if (!entry.inputs.length) {
      if (entry.early.length >= EARLY_INPUT_MAX) {
        return this.end(id, new BerthError('InputNotRead', `The daemon did not read the input of ${entry.channel}.`, 'This is a bug in Berth; the daemon log has the details.'));
      }
      entry.early.push(checked.data);
    }
    for (const listener of entry.inputs) listener(checked.data);
  }
}
