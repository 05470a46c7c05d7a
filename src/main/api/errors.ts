/**
 * What an error looks like on the wire: every carrier and every view shows `hint`.
 * This file stays free of zod so the renderer can use it without bundling the validator.
 */
export interface WireError {
  name: string;
  message: string;
  hint: string;
}

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

interface ValidationIssue {
  path: PropertyKey[];
  message: string;
}

function isValidationError(error: unknown): error is Error & { issues: ValidationIssue[] } {
  return error instanceof Error && error.name === 'ZodError' && Array.isArray((error as { issues?: unknown }).issues);
}

export function toWire(error: unknown): WireError {
  if (error instanceof BerthError) return { name: error.name, message: error.message, hint: error.hint };
  if (isValidationError(error)) {
    const issue = error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
    return {
      name: 'InvalidRequest',
      message: `Invalid request${where}: ${issue?.message ?? error.message}`,
      hint: 'Correct the highlighted value and try again.',
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'InternalError', message, hint: 'This is a bug in Berth; the daemon log has the details.' };
}
