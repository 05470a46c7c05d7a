import type { z } from 'zod';
import type { Call } from './channel';
import { contract, isCall, unknownChannel, type CallName, type Frame, type ReplyOf, type RequestOf } from './contract';
import { BerthError, toWire } from './errors';

export type Handlers = { [C in CallName]: (request: RequestOf<C>) => Promise<ReplyOf<C>> };

/** Checks a call against the contract, runs its handler and checks the reply: the one gate every carrier uses. */
export async function dispatch(handlers: Handlers, frame: unknown): Promise<Frame | null> {
  if (typeof frame !== 'object' || frame === null || (frame as Frame).type !== 'call') return null;
  const { id, channel, request } = frame as Extract<Frame, { type: 'call' }>;
  try {
    if (typeof channel !== 'string' || !isCall(channel)) {
      throw unknownChannel(channel);
    }
    const def = contract[channel] as Call<z.ZodType, z.ZodType>;
    const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
    const reply = def.reply.safeParse(await handler(def.request.parse(request ?? {})));
    if (!reply.success) {
      throw new BerthError('InvalidReply', `The daemon's reply on ${channel} broke the contract: ${reply.error.message}`, 'This is a bug in Berth; the daemon log has the details.');
    }
    return { type: 'reply', id, result: reply.data };
  } catch (error) {
    return { type: 'reply', id, error: toWire(error) };
  }
}
