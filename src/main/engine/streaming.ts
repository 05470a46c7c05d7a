import { StringDecoder } from 'node:string_decoder';

/** Calls `handle` with each value of a newline-delimited JSON stream (the Engine API's events and stats); a line that is not JSON is skipped. */
export function eachJsonLine(stream: NodeJS.ReadableStream, handle: (value: unknown) => void): void {
  // A chunk may end inside a character; the decoder keeps its first bytes for the next one.
  const decoder = new StringDecoder('utf8');
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += decoder.write(chunk);
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      handle(value);
    }
  });
}

/** A stream the Engine API answered with (logs, stats, an exec's connection), which Berth may cut. */
export type EngineStream = NodeJS.ReadableStream & { destroy(): void };

/** Resolves once an engine stream ends, fails or is destroyed because `signal` aborted. */
export function untilEnded(stream: EngineStream, signal: AbortSignal): Promise<void> {
  const stop = (): void => stream.destroy();
  const ended = new Promise<void>((done) => {
    const finish = (): void => {
      signal.removeEventListener('abort', stop);
      done();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    // Kept for good: an error with no listener would bring the daemon down.
    stream.on('error', finish);
  });
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  return ended;
}
