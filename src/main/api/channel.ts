import { z } from 'zod';

/** A call the UI can make: what it sends and what it gets back, both checked at runtime. */
export interface Call<Req extends z.ZodType, Rep extends z.ZodType> {
  kind: 'call';
  request: Req;
  reply: Rep;
}

/** Something the backend tells every client without being asked. */
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
