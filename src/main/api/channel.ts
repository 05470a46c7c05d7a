import { z } from 'zod';

/** A call the UI can make: what it sends and what it gets back, both checked at runtime. */
export interface Call<Req extends z.ZodType, Rep extends z.ZodType> {
  kind: 'call';
  request: Req;
  reply: Rep;
}

/** Something the daemon tells every client without being asked. */
export interface Event<Payload extends z.ZodType> {
  kind: 'event';
  payload: Payload;
}

export const call = <Req extends z.ZodType, Rep extends z.ZodType>(request: Req, reply: Rep): Call<Req, Rep> => ({
  kind: 'call',
  request,
  reply,
});

export const event = <Payload extends z.ZodType>(payload: Payload): Event<Payload> => ({ kind: 'event', payload });

/** The wire form of an error, as a schema (errors.ts holds its type, free of zod). */
export const WireErrorShape = z.object({ name: z.string(), message: z.string(), hint: z.string() });

/**
 * A long answer the UI opens and may cancel: the daemon sends chunks until it ends, with an error or
 * without. A stream with an `input` schema also takes chunks from the UI (a terminal's keystrokes).
 */
export interface Stream<Req extends z.ZodType, Chunk extends z.ZodType, Input extends z.ZodType | null = null> {
  kind: 'stream';
  request: Req;
  chunk: Chunk;
  input: Input;
}

export function stream<Req extends z.ZodType, Chunk extends z.ZodType>(request: Req, chunk: Chunk): Stream<Req, Chunk, null>;
export function stream<Req extends z.ZodType, Chunk extends z.ZodType, Input extends z.ZodType>(request: Req, chunk: Chunk, input: Input): Stream<Req, Chunk, Input>;
export function stream(request: z.ZodType, chunk: z.ZodType, input: z.ZodType | null = null): Stream<z.ZodType, z.ZodType, z.ZodType | null> {
  return { kind: 'stream', request, chunk, input };
}

/** What is wrong with `value` by `schema`'s rules, in their words, or null when nothing is: how a form checks one field. */
export function problemWith(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.');
}
