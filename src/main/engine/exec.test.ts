import { describe, expect, it } from 'vitest';
import { EXEC_OUTPUT_MAX } from '../api/containerDetails';
import { outputBatcher, ShellMarker } from './exec';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('the terminal shell', () => {
  it('reads which shell started from the marker, even split across chunks, and passes only the shell output on', () => {
    const marker = new ShellMarker();
    expect(marker.take(bytes('\x1b]berth-sh')).length).toBe(0);
    expect(marker.take(bytes('ell;sh;17\x07/ # ')).toString()).toBe('/ # ');
    expect(marker.shell).toBe('sh');
    expect(marker.pid).toBe(17);
    expect(marker.take(bytes('\x1b]0;title\x07')).toString('latin1')).toBe('\x1b]0;title\x07');
  });

  it('finds the marker when it comes in one chunk with a long first output', () => {
    const marker = new ShellMarker();
    const banner = `\r\n\r\nBusyBox v1.35.0 built-in shell (ash)\r\n${'Enter help for a list of built-in commands. '.repeat(3)}\r\n/ # `;
    expect(marker.take(bytes(`\x1b]berth-shell;sh;10\x07${banner}`)).toString()).toBe(banner);
    expect(marker.shell).toBe('sh');
    expect(marker.pid).toBe(10);
  });

  it('lets a long escape sequence that is not the marker through as output', () => {
    const marker = new ShellMarker();
    const title = `\x1b]0;${'t'.repeat(100)}\x07`;
    expect(marker.take(bytes(title)).toString('latin1')).toBe(title);
    expect(marker.shell).toBeNull();
  });

  it('passes everything through when the runtime answers instead of the shell', () => {
    const marker = new ShellMarker();
    const said = 'OCI runtime exec failed: exec: "sh": executable file not found in $PATH\r\n';
    expect(marker.take(bytes(said)).toString()).toBe(said);
    expect(marker.shell).toBeNull();
  });

  it('sends a burst of output as one chunk, and cuts a large one at the chunk limit', async () => {
    const sent: Buffer[] = [];
    const batch = outputBatcher((chunk) => sent.push(chunk));
    batch.add(bytes('a'));
    batch.add(bytes('b'));
    await new Promise((done) => setImmediate(done));
    expect(sent.map(String)).toEqual(['ab']);
    batch.add(Buffer.alloc(EXEC_OUTPUT_MAX * 2 + 5));
    expect(sent.slice(1).map((chunk) => chunk.length)).toEqual([EXEC_OUTPUT_MAX, EXEC_OUTPUT_MAX, 5]);
  });
});
