// Following one of Berth's log files for the window: its end first, then each line as it is written.
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import TailFile from '@logdna/tail-file';
import type { LogChunk } from '../api/troubleshoot';
import { batcher } from '../engine/logs';

export interface FollowOptions {
  /** How much of the file's end is sent first. */
  tailBytes?: number;
  /** How often the file is looked at for new lines, and for a missing file to appear. */
  pollMs?: number;
}

/** About the last 2000 lines of the daemon log: what the view keeps. */
const TAIL_BYTES = 256 * 1024;
const POLL_MS = 250;

const sizeOf = (path: string): Promise<number | null> =>
  stat(path).then(
    (stats) => stats.size,
    () => null,
  );

interface Reader {
  line(text: string): void;
  /** The file was replaced or cut short: what follows is from its start. */
  restart(): void;
  /** Everything the file held so far was read. */
  caughtUp(): void;
}

/**
 * Tails `path` from byte `from` until `signal` aborts or the file is gone for good (the tailer gives up
 * after a few polls without it). With `from` inside the file, the line it lands in is a fragment and left out.
 */
function tailFrom(path: string, from: number, pollMs: number, signal: AbortSignal, reader: Reader): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  // Reading from the byte before `from` makes the first piece up to a newline always the one to leave out.
  const tail = new TailFile(path, { startPos: Math.max(0, from - 1), pollFileIntervalMs: pollMs, pollFailureRetryMs: pollMs });
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let skipping = from > 0;
  tail.on('data', (chunk: Buffer) => {
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (skipping) skipping = false;
      else reader.line(line.replace(/\r$/, ''));
    }
  });
  const restart = (): void => {
    const rest = partial + decoder.end();
    if (rest && !skipping) reader.line(rest);
    partial = '';
    skipping = false;
    reader.restart();
  };
  tail.on('renamed', restart);
  tail.on('truncated', restart);
  tail.on('flush', () => reader.caughtUp());
  // A read that failed mid-poll (the file replaced under it) is tried again at the next poll.
  tail.on('tail_error', () => undefined);
  return new Promise((done) => {
    const quit = (): void => void tail.quit().catch(() => undefined);
    signal.addEventListener('abort', quit, { once: true });
    tail.once('close', finish);
    tail.once('end', finish);
    tail.once('error', finish);
    tail.start().catch(finish);
    function finish(): void {
      signal.removeEventListener('abort', quit);
      if (partial && !skipping) reader.line(partial);
      partial = '';
      done();
    }
  });
}

/**
 * Sends the last `tailBytes` of the log at `path` as lines, then every line appended to it, until `signal`
 * aborts. A log that is replaced (the console log at each boot) or cut short is followed from its new start,
 * with `restarted` on the lines that begin it; a log not written yet is waited for.
 */
export async function followLog(path: string, signal: AbortSignal, send: (chunk: LogChunk) => void, options: FollowOptions = {}): Promise<void> {
  const pollMs = options.pollMs ?? POLL_MS;
  let restarted = false;
  let sent = false;
  const emit = (lines: string[]): void => {
    send({ lines, restarted });
    restarted = false;
    sent = true;
  };
  const batch = batcher<string>(emit);
  const reader: Reader = {
    line: batch.add,
    restart: () => {
      batch.flush();
      restarted = sent;
    },
    caughtUp: () => {
      batch.flush();
      // An empty or missing log is shown as such rather than as still loading.
      if (!sent) emit([]);
    },
  };
  let first = true;
  while (!signal.aborted) {
    const size = await sizeOf(path);
    if (size === null) {
      reader.caughtUp();
      first = false;
      await sleep(pollMs, undefined, { signal }).catch(() => undefined);
      continue;
    }
    await tailFrom(path, first ? Math.max(0, size - (options.tailBytes ?? TAIL_BYTES)) : 0, pollMs, signal, reader);
    first = false;
    // The file went away: when one comes back, it is a new log.
    reader.restart();
  }
  batch.flush();
}
