import type { z } from 'zod';
import type { Call, Event, Stream } from './channel';
import { containerDetails } from './containerDetails';
import { containers } from './containers';
import { ddClient } from './ddClient';
import { diskUsage } from './diskUsage';
import { engine } from './engine';
import { extensions } from './extensions';
import { networks } from './networks';
import { plugins } from './plugins';
import { registry } from './registry';
import { settings } from './settings';
import { troubleshoot } from './troubleshoot';
import { images } from './images';
import { volumes } from './volumes';
import { BerthError } from './errors';

/** Every channel of every domain. Carriers and bridges are generic over this one map. */
export const contract = { ...engine, ...containers, ...containerDetails, ...images, ...volumes, ...networks, ...plugins, ...registry, ...settings, ...troubleshoot, ...diskUsage, ...extensions, ...ddClient };

export type Contract = typeof contract;
type CallNames = { [K in keyof Contract]: Contract[K] extends Call<z.ZodType, z.ZodType> ? K : never }[keyof Contract];
type EventNames = { [K in keyof Contract]: Contract[K] extends Event<z.ZodType> ? K : never }[keyof Contract];
type StreamNames = { [K in keyof Contract]: Contract[K] extends Stream<z.ZodType, z.ZodType, z.ZodType | null> ? K : never }[keyof Contract];
export type CallName = CallNames;
export type EventName = EventNames;
export type StreamName = StreamNames;

export type RequestOf<C extends CallName> = Contract[C] extends Call<infer Req, z.ZodType> ? z.input<Req> : never;
export type ReplyOf<C extends CallName> = Contract[C] extends Call<z.ZodType, infer Rep> ? z.output<Rep> : never;
export type PayloadOf<E extends EventName> = Contract[E] extends Event<infer P> ? z.output<P> : never;
export type OpenOf<S extends StreamName> = Contract[S] extends Stream<infer Req, z.ZodType, z.ZodType | null> ? z.input<Req> : never;
export type ChunkOf<S extends StreamName> = Contract[S] extends Stream<z.ZodType, infer Chunk, z.ZodType | null> ? z.output<Chunk> : never;
export type InputOf<S extends StreamName> = Contract[S] extends Stream<z.ZodType, z.ZodType, infer Input> ? (Input extends z.ZodType ? z.input<Input> : never) : never;

export function isCall(name: string): name is CallName {
  return Object.hasOwn(contract, name) && contract[name as keyof Contract].kind === 'call';
}

export function isStream(name: string): name is StreamName {
  return Object.hasOwn(contract, name) && (contract[name as keyof Contract] as { kind: string }).kind === 'stream';
}

/** The error every carrier gives for a channel the contract does not have (or that is not a call). */
export function unknownChannel(channel: unknown): BerthError {
  return new BerthError('UnknownChannel', `There is no channel named ${String(channel)}.`, 'Reload the window, or update the CLI, to match this backend.');
}

/** A message on any carrier: the same shapes over the control socket, Electron IPC and WebSocket. */
export type Frame =
  | { type: 'call'; id: number; channel: string; request: unknown }
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'reply'; id: number; error: { name: string; message: string; hint: string } }
  | { type: 'event'; channel: string; payload: unknown }
  // A stream: the client opens it and may send input or cancel; the daemon sends chunks, then one end.
  | { type: 'open'; id: number; channel: string; request: unknown }
  | { type: 'input'; id: number; payload: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'chunk'; id: number; payload: unknown }
  | { type: 'end'; id: number; error?: { name: string; message: string; hint: string } };
