import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecChunk } from '../api/ddClient';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import { hostBinary, runProcess } from './exec';

const missing = new BerthError('Missing', 'missing', 'install it');

async function run(file: string, args: string[], signal = new AbortController().signal): Promise<ExecChunk[]> {
  const chunks: ExecChunk[] = [];
  await runProcess(file, args, { env: process.env, missing }, signal, (chunk) => chunks.push(chunk));
  return chunks;
}

describe('runProcess', () => {
  it('passes arguments as they are, with no shell between', async () => {
    const chunks = await run('printf', ['%s|', '$(id)', 'a b', '"q"']);
    expect(chunks).toEqual([{ stdout: '$(id)|a b|"q"|' }, { exit: 0, signal: null }]);
  });

  it('sends stderr apart and the exit code', async () => {
    const chunks = await run('sh', ['-c', 'echo oops >&2; exit 3']);
    expect(chunks).toEqual([{ stderr: 'oops\n' }, { exit: 3, signal: null }]);
  });

  it('ends the program with SIGTERM when the stream is cancelled', async () => {
    const abort = new AbortController();
    const ended = run('sleep', ['30'], abort.signal);
    setTimeout(() => abort.abort(), 100);
    expect((await ended).at(-1)).toEqual({ exit: null, signal: 'SIGTERM' });
  });

  it('says what to do when the program is missing', async () => {
    await expect(run('/nonexistent/berth-test-binary', [])).rejects.toBe(missing);
  });
});

describe('hostBinary', () => {
  const folder = mkdtempSync(join(tmpdir(), 'bt-host-'));
  mkdirSync(join(folder, 'host'));
  writeFileSync(join(folder, 'host', 'tool'), '#!/bin/sh\necho hi\n');
  chmodSync(join(folder, 'host', 'tool'), 0o700);
  symlinkSync('/bin/sh', join(folder, 'host', 'escape'));
  const extension = { title: 'Demo', hostBinaries: ['tool', 'escape'] } as Extension;

  it('finds a binary the extension ships', () => {
    expect(hostBinary(extension, folder, 'tool')).toMatch(/\/host\/tool$/);
  });

  it.each([
    ['/bin/sh', 'file name alone'],
    ['../host/tool', 'file name alone'],
    ['sh', 'not one of its host binaries'],
    ['escape', 'leads outside the extension'],
  ])('refuses %s', (command, why) => {
    expect(() => hostBinary(extension, folder, command)).toThrow(why);
  });
});
