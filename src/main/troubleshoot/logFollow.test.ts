import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogChunk } from '../api/troubleshoot';
import { followLog } from './logFollow';

let dir: string | null = null;
let abort: AbortController | null = null;
afterEach(() => {
  abort?.abort();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = abort = null;
});

/** Follows a log (holding `content`, when given) in a fresh folder, keeping every chunk sent; `lines` is what a view would show. */
function follow(content: string | null, tailBytes?: number) {
  dir = mkdtempSync(join(tmpdir(), 'bt-logs-'));
  const path = join(dir, 'some.log');
  if (content !== null) writeFileSync(path, content);
  const chunks: LogChunk[] = [];
  abort = new AbortController();
  const done = followLog(path, abort.signal, (chunk) => chunks.push(chunk), { pollMs: 20, tailBytes });
  return { path, chunks, done, lines: () => chunks.flatMap((chunk) => chunk.lines) };
}

const waitFor = (check: () => boolean) => expect.poll(check, { timeout: 3000, interval: 10 }).toBe(true);

describe('followLog', () => {
  it('sends the end of the log as whole lines, then each line appended, and ends when aborted', async () => {
    const old = Array.from({ length: 50 }, (_, index) => `line ${index} ${'x'.repeat(10)}`);
    const log = follow(`${old.join('\n')}\n`, 100);
    await waitFor(() => log.chunks.length > 0);
    // 100 bytes hold the last five 19-byte lines and the end of the one before, which is left out.
    expect(log.lines()).toEqual(old.slice(-5));
    expect(log.chunks[0]!.restarted).toBe(false);

    appendFileSync(log.path, 'appended ünïcödé\npartial');
    await waitFor(() => log.lines().includes('appended ünïcödé'));
    appendFileSync(log.path, ' line\r\n');
    await waitFor(() => log.lines().includes('partial line'));
    abort!.abort();
    await log.done;
  });

  it('follows a log replaced by a new file (the console log at each boot) from its start, marking where', async () => {
    const log = follow('first boot\n');
    await waitFor(() => log.lines().includes('first boot'));
    appendFileSync(log.path, 'last words\n');
    renameSync(log.path, `${log.path}.1`);
    writeFileSync(log.path, 'second boot\n');
    await waitFor(() => log.lines().includes('second boot'));
    expect(log.lines()).toEqual(['first boot', 'last words', 'second boot']);
    expect(log.chunks.find((chunk) => chunk.lines.includes('second boot'))!.restarted).toBe(true);
  });

  it('follows a log cut short from its new start', async () => {
    const log = follow('a long line before the cut\n');
    await waitFor(() => log.lines().length === 1);
    writeFileSync(log.path, 'after\n');
    await waitFor(() => log.lines().includes('after'));
    expect(log.chunks.at(-1)).toEqual({ lines: ['after'], restarted: true });
  });

  it('says a log not written yet is empty, then shows it once it is', async () => {
    const log = follow(null);
    await waitFor(() => log.chunks.length > 0);
    expect(log.chunks[0]).toEqual({ lines: [], restarted: false });
    writeFileSync(log.path, 'hello\n');
    await waitFor(() => log.lines().includes('hello'));
    expect(log.chunks.at(-1)!.restarted).toBe(false);
  });
});
