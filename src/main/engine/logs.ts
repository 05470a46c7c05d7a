import type Docker from 'dockerode';
import { Writable } from 'node:stream';
import type { LogLine } from '../api/containers';
import { refusal } from './client';
import { noSuchContainer } from './containers';
import { untilEnded, type EngineStream } from './streaming';

/** Lines of one output, cut at newlines; Docker puts an RFC 3339 time and a space before each. */
class LineSplitter extends Writable {
  private partial = '';

  constructor(
    private readonly stream: LogLine['stream'],
    private readonly onLine: (line: LogLine) => void,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
    done();
  }

  flushPartial(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  private line(raw: string): void {
    const space = raw.indexOf(' ');
    const stamped = space > 0 && /^\d{4}-\d\d-\d\dT/.test(raw);
    this.onLine({ stream: this.stream, time: stamped ? raw.slice(0, space) : null, text: (stamped ? raw.slice(space + 1) : raw).replace(/\r$/, '') });
  }
}

/** Sends lines in batches, so a chatty log costs one message per batch rather than one per line. */
export function batcher<Line>(send: (lines: Line[]) => void, waitMs = 40, most = 500): { add(line: Line): void; flush(): void } {
  let pending: Line[] = [];
  let timer: NodeJS.Timeout | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (pending.length) send(pending.splice(0));
  };
  return {
    add(line) {
      pending.push(line);
      if (pending.length >= most) flush();
      else timer ??= setTimeout(flush, waitMs);
    },
    flush,
  };
}

/**
 * Follows a container's output from its last `tail` lines until it stops or `signal` aborts, sending
 * batches of lines. A container with a TTY has one unmultiplexed output, shown as stdout.
 */
export async function followLogs(docker: Docker, id: string, tail: number, signal: AbortSignal, send: (lines: LogLine[]) => void): Promise<void> {
  const container = docker.getContainer(id);
  let tty: boolean;
  let raw: NodeJS.ReadableStream;
  try {
    tty = Boolean((await container.inspect()).Config?.Tty);
    raw = (await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, tail })) as NodeJS.ReadableStream;
  } catch (error) {
    if (refusal(error).status === 404) throw noSuchContainer(id);
    throw error;
  }
  const batch = batcher<LogLine>(send);
  const stdout = new LineSplitter('stdout', batch.add);
  const stderr = new LineSplitter('stderr', batch.add);
  if (tty) raw.on('data', (data: Buffer) => stdout.write(data));
  else docker.modem.demuxStream(raw, stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream);
  await untilEnded(raw as EngineStream, signal);
  // The splitters get their last bytes on the stream's final writes; let those land before the last batch.
  await new Promise((done) => setImmediate(done));
  stdout.flushPartial();
  stderr.flushPartial();
  batch.flush();
}
