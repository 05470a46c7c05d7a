import { z } from 'zod';

/** What an error looks like on the wire: every carrier and every view shows `hint`. */
export const WireError = z.object({ name: z.string(), message: z.string(), hint: z.string() });
export type WireError = z.infer<typeof WireError>;

/** An error a user can act on: `hint` says what to do about it. */
export class BerthError extends Error {
  constructor(
    name: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = name;
  }

  static fromWire(wire: WireError): BerthError {
    return new BerthError(wire.name, wire.message, wire.hint);
  }
}

export function toWire(error: unknown): WireError {
  if (error instanceof BerthError) return { name: error.name, message: error.message, hint: error.hint };
  if (error instanceof z.ZodError) {
    const issue = error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return {
      name: 'InvalidRequest',
      message: `Invalid request${where}: ${issue?.message ?? error.message}`,
      hint: 'Correct the highlighted value and try again.',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'InternalError', message, hint: 'This is a bug in Berth; the daemon log has the details.' };
}
