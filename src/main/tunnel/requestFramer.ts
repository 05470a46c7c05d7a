import { Transform, type TransformCallback } from 'node:stream';

/**
 * What becomes of a container-create request: passed on unchanged, passed on with another JSON body,
 * or refused (the client gets HTTP 400 with the message).
 */
export type CreateVerdict = { kind: 'pass' } | { kind: 'rewrite'; body: Buffer } | { kind: 'refuse'; message: string };

/** Decides on a container-create request's JSON body. */
export type CreateInspector = (body: Buffer) => CreateVerdict;

/** Larger heads or create bodies are passed through uninspected: the check is a courtesy, not a wall. */
export const MAX_HEAD_BYTES = 64 * 1024;
export const MAX_CREATE_BODY_BYTES = 1024 * 1024;
const MAX_CHUNK_LINE_BYTES = 4096;

const CREATE_PATH = /^(\/v\d+(\.\d+)*)?\/containers\/create$/;
/** Endpoints whose connection carries raw streams once the request is sent, with or without an Upgrade header. */
const HIJACKING_PATH = /^(\/v\d+(\.\d+)*)?\/(containers\/[^/]+\/attach|exec\/[^/]+\/start|session|grpc)$/;

interface Head {
  method: string;
  path: string;
  headers: Map<string, string>;
}

function parseHead(text: string): Head | null {
  const lines = text.split('\r\n');
  const request = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (!request) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    // Repeated framing headers are how requests get smuggled: such a connection is not worth parsing.
    if (headers.has(name) && (name === 'content-length' || name === 'transfer-encoding')) return null;
    headers.set(name, value);
  }
  return { method: request[1], path: request[2].split('?')[0], headers };
}

type State =
  | { kind: 'head'; pending: Buffer | null }
  | { kind: 'body'; remaining: number }
  | { kind: 'collect'; head: Buffer; parts: Buffer[]; remaining: number }
  | { kind: 'chunk-size' | 'chunk-end' | 'trailer'; line: string }
  | { kind: 'chunk-data'; remaining: number }
  | { kind: 'passthrough' }
  | { kind: 'refused' };

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Sits on the client-to-engine side of one Docker socket connection. It follows the HTTP/1.1 request
 * framing, passing every byte on as it comes, except that a container create's head and body are held
 * until the inspector has seen the body. After anything it cannot follow (an upgrade or hijack, an
 * unknown transfer coding, a malformed head) it stops looking and only passes bytes on.
 *
 * A refusal answers the client through `answer` and ends the engine side: the Docker client does not
 * pipeline requests, so nothing of the engine's is in flight then, and the engine closes the connection.
 */
export class RequestFramer extends Transform {
  private state: State = { kind: 'head', pending: null };
  /** Set by a request after whose body the connection carries a raw stream. */
  private rawAfterBody = false;

  constructor(
    private readonly inspect: CreateInspector,
    private readonly answer: (response: Buffer) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.state.kind === 'passthrough') {
      done(null, chunk);
      return;
    }
    let at = 0;
    while (at < chunk.length) at = this.step(chunk, at);
    done();
  }

  override _flush(done: TransformCallback): void {
    // The client ended mid-request: the engine gets what there was and decides what it means.
    if (this.state.kind === 'head' && this.state.pending) this.push(this.state.pending);
    if (this.state.kind === 'collect') {
      this.push(this.state.head);
      for (const part of this.state.parts) this.push(part);
    }
    done();
  }

  /** Consumes bytes of `chunk` from `at` in the current state; returns where the next state begins. */
  private step(chunk: Buffer, at: number): number {
    const state = this.state;
    switch (state.kind) {
      case 'passthrough':
        this.push(chunk.subarray(at));
        return chunk.length;
      case 'refused':
        return chunk.length;
      case 'head':
        return this.readHead(state, chunk, at);
      case 'body': {
        const end = Math.min(chunk.length, at + state.remaining);
        this.push(chunk.subarray(at, end));
        state.remaining -= end - at;
        if (state.remaining === 0) this.endOfRequest();
        return end;
      }
      case 'collect': {
        const end = Math.min(chunk.length, at + state.remaining);
        state.parts.push(chunk.subarray(at, end));
        state.remaining -= end - at;
        if (state.remaining === 0) this.decide(state.head, Buffer.concat(state.parts));
        return end;
      }
      case 'chunk-size':
      case 'chunk-end':
      case 'trailer':
        return this.readChunkLine(state, chunk, at);
      case 'chunk-data': {
        const end = Math.min(chunk.length, at + state.remaining);
        this.push(chunk.subarray(at, end));
        state.remaining -= end - at;
        if (state.remaining === 0) this.state = { kind: 'chunk-end', line: '' };
        return end;
      }
    }
  }

  private readHead(state: Extract<State, { kind: 'head' }>, chunk: Buffer, at: number): number {
    const previous = state.pending ?? Buffer.alloc(0);
    // The end marker may straddle two chunks: search from a little before the new bytes.
    const joined = Buffer.concat([previous, chunk.subarray(at)]);
    const end = joined.indexOf(HEAD_END, Math.max(0, previous.length - 3));
    if (end < 0) {
      if (joined.length > MAX_HEAD_BYTES) return this.giveUp(joined, chunk.length);
      this.state = { kind: 'head', pending: joined };
      return chunk.length;
    }
    const headBytes = joined.subarray(0, end + HEAD_END.length);
    const consumed = at + headBytes.length - previous.length;
    const head = parseHead(headBytes.subarray(0, end).toString('latin1'));
    if (!head) return this.giveUp(headBytes, consumed);
    this.beginBody(head, headBytes);
    return consumed;
  }

  private beginBody(head: Head, headBytes: Buffer): void {
    const { headers } = head;
    const upgrade = headers.has('upgrade') || /\bupgrade\b/i.test(headers.get('connection') ?? '');
    this.rawAfterBody = upgrade || head.method === 'CONNECT' || HIJACKING_PATH.test(head.path);
    const coding = headers.get('transfer-encoding');
    if (coding !== undefined) {
      this.push(headBytes);
      if (coding.toLowerCase() === 'chunked') this.state = { kind: 'chunk-size', line: '' };
      else this.state = { kind: 'passthrough' };
      return;
    }
    const lengthText = headers.get('content-length') ?? '0';
    if (!/^\d{1,15}$/.test(lengthText)) {
      this.push(headBytes);
      this.state = { kind: 'passthrough' };
      return;
    }
    const length = Number(lengthText);
    const isCreate = head.method === 'POST' && CREATE_PATH.test(head.path);
    // A client waiting for "100 Continue" would wait for a body that is being held back.
    if (isCreate && length > 0 && length <= MAX_CREATE_BODY_BYTES && !headers.has('expect')) {
      this.state = { kind: 'collect', head: headBytes, parts: [], remaining: length };
      return;
    }
    this.push(headBytes);
    this.state = { kind: 'body', remaining: length };
    if (length === 0) this.endOfRequest();
  }

  /** A chunk's size line, the empty line that closes its data, or a trailer: passed on as they are read. */
  private readChunkLine(state: Extract<State, { kind: 'chunk-size' | 'chunk-end' | 'trailer' }>, chunk: Buffer, at: number): number {
    const newline = chunk.indexOf(0x0a, at);
    const end = newline < 0 ? chunk.length : newline + 1;
    this.push(chunk.subarray(at, end));
    const line = state.line + chunk.subarray(at, end).toString('latin1');
    if (line.length > MAX_CHUNK_LINE_BYTES) {
      this.state = { kind: 'passthrough' };
      return end;
    }
    if (newline < 0) {
      state.line = line;
      return end;
    }
    const text = line.replace(/\r?\n$/, '');
    if (state.kind === 'chunk-end') {
      this.state = text === '' ? { kind: 'chunk-size', line: '' } : { kind: 'passthrough' };
    } else if (state.kind === 'trailer') {
      if (text === '') this.endOfRequest();
      else this.state = { kind: 'trailer', line: '' };
    } else {
      const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(text);
      const bytes = size ? Number.parseInt(size[1], 16) : NaN;
      if (Number.isNaN(bytes)) this.state = { kind: 'passthrough' };
      else if (bytes === 0) this.state = { kind: 'trailer', line: '' };
      else this.state = { kind: 'chunk-data', remaining: bytes };
    }
    return end;
  }

  private decide(head: Buffer, body: Buffer): void {
    let verdict: CreateVerdict = { kind: 'pass' };
    try {
      verdict = this.inspect(body);
    } catch {
      // The check is a courtesy: a fault in it must not cost the user their create.
    }
    if (verdict.kind === 'refuse') {
      this.state = { kind: 'refused' };
      this.answer(badRequest(verdict.message));
      this.push(null);
      return;
    }
    if (verdict.kind === 'rewrite') {
      this.push(withContentLength(head, verdict.body.length));
      this.push(verdict.body);
    } else {
      this.push(head);
      this.push(body);
    }
    this.endOfRequest();
  }

  private endOfRequest(): void {
    this.state = this.rawAfterBody ? { kind: 'passthrough' } : { kind: 'head', pending: null };
  }

  /** Passes `held` on and stops inspecting; returns `resume`, where the caller continues. */
  private giveUp(held: Buffer, resume: number): number {
    this.push(held);
    this.state = { kind: 'passthrough' };
    return resume;
  }
}

/** The request head with its Content-Length set to `length` (the framer only holds heads that have one). */
function withContentLength(head: Buffer, length: number): Buffer {
  const text = head.toString('latin1').replace(/^(content-length:)[ \t]*\d+[ \t]*(?=\r\n)/im, `$1 ${length}`);
  return Buffer.from(text, 'latin1');
}

/** An answer the Docker CLI prints as "Error response from daemon: MESSAGE". */
export function badRequest(message: string): Buffer {
  const body = JSON.stringify({ message });
  return Buffer.from(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
