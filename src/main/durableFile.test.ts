import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { copyFileDurably, writeFileDurably } from './durableFile';

const folder = (): string => fs.mkdtempSync(join(tmpdir(), 'berth-durable-'));

/** What fsync was called on, by inode: the test tells files from folders with fstat at the moment of the call. */
function watchFsync(): Array<{ ino: number; folder: boolean }> {
  const seen: Array<{ ino: number; folder: boolean }> = [];
  const real = fs.fsyncSync;
  vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
    const stat = fs.fstatSync(fd);
    seen.push({ ino: stat.ino, folder: stat.isDirectory() });
    real(fd);
  });
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileDurably', () => {
  it('replaces the file whole, with its mode, and leaves no temp file', () => {
    const dir = folder();
    const path = join(dir, 'id_ed25519');
    fs.writeFileSync(path, 'old content', { mode: 0o644 });
    const content = 'x'.repeat(300_000);
    writeFileDurably(path, content, 0o600);
    expect(fs.readFileSync(path, 'utf8')).toBe(content);
    expect(fs.statSync(path).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['id_ed25519']);
  });

  it('gives the temp file its final mode before the first byte is written', () => {
    const dir = folder();
    const path = join(dir, 'secret');
    const modes: number[] = [];
    const real = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, ...rest: never[]) => {
      modes.push(fs.fstatSync(fd).mode & 0o777);
      return (real as (fd: number, ...args: never[]) => number)(fd, ...rest);
    }) as typeof fs.writeSync);
    writeFileDurably(path, 'private', 0o600);
    writeFileDurably(join(dir, 'tool'), '#!/bin/sh\n', 0o755);
    expect(modes).toEqual([0o600, 0o755]);
  });

  it('flushes the file and then its folder', () => {
    const dir = folder();
    const path = join(dir, 'settings.json');
    const seen = watchFsync();
    writeFileDurably(path, '{}\n', 0o600);
    expect(seen).toEqual([
      { ino: fs.statSync(path).ino, folder: false },
      { ino: fs.statSync(dir).ino, folder: true },
    ]);
  });

  it('keeps the old file whole when the write fails halfway, and removes its temp file', () => {
    const dir = folder();
    const path = join(dir, 'config.json');
    fs.writeFileSync(path, '{"old":true}\n');
    const real = fs.writeSync;
    let calls = 0;
    vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, buffer: Uint8Array, offset: number) => {
      calls += 1;
      if (calls > 1) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      // Half of what was asked, so the writer has to come back for the rest.
      return real(fd, buffer, offset, 5);
    }) as typeof fs.writeSync);
    expect(() => writeFileDurably(path, '{"new":true,"longer":"than five bytes"}\n', 0o600)).toThrow(/ENOSPC/);
    expect(fs.readFileSync(path, 'utf8')).toBe('{"old":true}\n');
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it('fails with the system\'s reason when the folder is missing', () => {
    const dir = join(folder(), 'missing');
    expect(() => writeFileDurably(join(dir, 'x'), 'y', 0o600)).toThrow(/ENOENT/);
  });
});

describe('copyFileDurably', () => {
  it('copies a file larger than one piece whole, executable, flushing it and its folder', () => {
    const dir = folder();
    const from = join(dir, 'source');
    const bytes = Buffer.alloc(2.5 * (1 << 20));
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7) % 251;
    fs.writeFileSync(from, bytes, { mode: 0o644 });
    const path = join(dir, 'docker-compose');
    const seen = watchFsync();
    copyFileDurably(from, path, 0o755);
    expect(fs.readFileSync(path).equals(bytes)).toBe(true);
    expect(fs.statSync(path).mode & 0o777).toBe(0o755);
    expect(fs.readdirSync(dir).sort()).toEqual(['docker-compose', 'source']);
    expect(seen.map((each) => each.folder)).toEqual([false, true]);
  });
});
