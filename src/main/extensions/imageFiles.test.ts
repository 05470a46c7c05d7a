import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { UnpackBudget, unpackTar } from './imageFiles';

type Item = Partial<Header> & { name: string; data?: string };

/** A tar as the engine's archive endpoint sends one, made in memory. */
async function tar(items: Item[]): Promise<Readable> {
  const archive = pack();
  for (const { data, ...header } of items) archive.entry({ type: 'file', mode: 0o644, ...header }, data ?? '');
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

const folders: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-unpack-'));
  folders.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every path under `dir`, relative, sorted. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = `${prefix}${entry.name}`;
    return entry.isDirectory() ? [`${path}/`, ...tree(join(dir, entry.name), `${path}/`)] : [path];
  });
}

describe('unpacking an archive of one image path', () => {
  it('turns the top folder into the target, with files, folders, inner symlinks and hard links', async () => {
    const parent = scratch();
    const into = join(parent, 'ui');
    const source = await tar([
      { name: 'ui/', type: 'directory', mode: 0o755 },
      { name: 'ui/index.html', data: '<h1>hi</h1>' },
      { name: 'ui/assets/', type: 'directory', mode: 0o755 },
      { name: 'ui/assets/app.js', data: 'run()', mode: 0o4755 },
      { name: 'ui/assets/same.js', type: 'link', linkname: 'ui/assets/app.js' },
      { name: 'ui/home.html', type: 'symlink', linkname: 'index.html' },
      { name: 'ui/assets/up.html', type: 'symlink', linkname: './app.js' },
      { name: 'ui/dev', type: 'character-device' },
    ]);
    const result = await unpackTar(source, 'ui', into, 'test/ext:1');
    // The hard link is written as a copy, and counted as one.
    expect(result).toEqual({ kind: 'directory', bytes: '<h1>hi</h1>'.length + 2 * 'run()'.length });
    expect(tree(into).sort()).toEqual(['assets/', 'assets/app.js', 'assets/same.js', 'assets/up.html', 'home.html', 'index.html']);
    expect(readFileSync(join(into, 'assets/same.js'), 'utf8')).toBe('run()');
    expect(readlinkSync(join(into, 'home.html'))).toBe('index.html');
    expect(readFileSync(join(into, 'assets/up.html'), 'utf8')).toBe('run()');
    // No setuid, nothing for group or others.
    expect(statSync(join(into, 'assets/app.js')).mode & 0o7777).toBe(0o700);
    expect(statSync(join(into, 'index.html')).mode & 0o077).toBe(0);
  });

  it('writes a single file under the target name', async () => {
    const parent = scratch();
    const result = await unpackTar(await tar([{ name: 'metadata.json', data: '{}' }]), 'metadata.json', join(parent, 'metadata.json'), 'test/ext:1');
    expect(result).toEqual({ kind: 'file', bytes: 2 });
    expect(readFileSync(join(parent, 'metadata.json'), 'utf8')).toBe('{}');
  });

  it('hands back the target of a top-level symlink instead of writing it', async () => {
    const parent = scratch();
    const result = await unpackTar(await tar([{ name: 'ui', type: 'symlink', linkname: '/app/ui' }]), 'ui', join(parent, 'ui'), 'test/ext:1');
    expect(result).toEqual({ kind: 'symlink', target: '/app/ui' });
    expect(existsSync(join(parent, 'ui'))).toBe(false);
  });

  const refusals: Array<[string, Item[]]> = [
    ['an entry that climbs out', [{ name: 'ui/', type: 'directory' }, { name: 'ui/../../evil', data: 'x' }]],
    ['an entry outside the top folder', [{ name: 'ui/', type: 'directory' }, { name: 'other/file', data: 'x' }]],
    ['an absolute symlink', [{ name: 'ui/', type: 'directory' }, { name: 'ui/passwd', type: 'symlink', linkname: '/etc/passwd' }]],
    ['a symlink that climbs out', [{ name: 'ui/', type: 'directory' }, { name: 'ui/a/up', type: 'symlink', linkname: '../../..' }]],
    ['a symlink that climbs, even staying inside', [{ name: 'ui/', type: 'directory' }, { name: 'ui/a/index.html' }, { name: 'ui/a/b/up', type: 'symlink', linkname: '../index.html' }]],
    [
      'a chain of symlinks each inside on its face, resolving outside',
      [
        { name: 'ui/', type: 'directory' },
        { name: 'ui/sub/a/b/', type: 'directory' },
        { name: 'ui/sub/a/b/p', type: 'symlink', linkname: '../../..' },
        { name: 'ui/esc', type: 'symlink', linkname: 'sub/a/b/p/../../..' },
      ],
    ],
    [
      'a write through a symlink',
      [
        { name: 'ui/', type: 'directory' },
        { name: 'ui/sub/', type: 'directory' },
        { name: 'ui/link', type: 'symlink', linkname: 'sub' },
        { name: 'ui/link/file', data: 'x' },
      ],
    ],
    [
      'a symlink behind a symlink that reaches out',
      [
        { name: 'ui/', type: 'directory' },
        { name: 'ui/a/b/', type: 'directory' },
        { name: 'ui/c', type: 'symlink', linkname: 'a/b' },
        { name: 'ui/c/out', type: 'symlink', linkname: '../../..' },
      ],
    ],
    ['a hard link to a file outside', [{ name: 'ui/', type: 'directory' }, { name: 'ui/shadow', type: 'link', linkname: 'etc/shadow' }]],
  ];
  for (const [what, items] of refusals) {
    it(`refuses ${what}, writing nothing outside the target`, async () => {
      const parent = scratch();
      const into = join(parent, 'inner', 'ui');
      mkdirSync(join(parent, 'inner'));
      await expect(unpackTar(await tar(items), 'ui', into, 'test/ext:1')).rejects.toMatchObject({ name: 'ExtensionUnsafeFile' });
      expect(readdirSync(parent)).toEqual(['inner']);
      expect(readdirSync(join(parent, 'inner')).filter((name) => name !== 'ui')).toEqual([]);
      for (const path of existsSync(into) ? tree(into) : []) {
        const full = join(into, path);
        if (lstatSync(full).isSymbolicLink()) expect(readlinkSync(full).startsWith('/')).toBe(false);
      }
    });
  }

  it('names the symlink of a chain that climbs, and writes nothing it points at', async () => {
    const parent = scratch();
    const items: Item[] = [
      { name: 'ui/', type: 'directory' },
      { name: 'ui/sub/a/b/', type: 'directory' },
      { name: 'ui/sub/a/b/p', type: 'symlink', linkname: '../../..' },
      { name: 'ui/esc', type: 'symlink', linkname: 'sub/a/b/p/../../..' },
    ];
    await expect(unpackTar(await tar(items), 'ui', join(parent, 'ui'), 'test/ext:1')).rejects.toThrow(
      'test/ext:1 holds a file Berth will not unpack: the symlink ui/sub/a/b/p points to ../../.., a path that climbs with "..".',
    );
    expect(existsSync(join(parent, 'ui', 'sub', 'a', 'b', 'p'))).toBe(false);
  });

  it('refuses an archive larger than the limit', async () => {
    const parent = scratch();
    const items: Item[] = [{ name: 'ui/', type: 'directory' }, { name: 'ui/a', data: 'x'.repeat(600) }, { name: 'ui/b', data: 'x'.repeat(600) }];
    await expect(unpackTar(await tar(items), 'ui', join(parent, 'ui'), 'test/ext:1', new UnpackBudget(1000))).rejects.toThrow(/more than 1000 bytes/);
  });

  it('counts hard links as the copies they become: a small archive cannot write many times the limit', async () => {
    const parent = scratch();
    const links: Item[] = Array.from({ length: 20 }, (_, index) => ({ name: `ui/copy${index}`, type: 'link', linkname: 'ui/a' }));
    const items: Item[] = [{ name: 'ui/', type: 'directory' }, { name: 'ui/a', data: 'x'.repeat(600) }, ...links];
    await expect(unpackTar(await tar(items), 'ui', join(parent, 'ui'), 'test/ext:1', new UnpackBudget(2000))).rejects.toThrow(
      /more than 2000 bytes, hard links counted as copies/,
    );
    expect(readdirSync(join(parent, 'ui')).length).toBeLessThanOrEqual(4);
  });

  it('holds one budget across every path of an install, bytes and entries', async () => {
    const parent = scratch();
    const budget = new UnpackBudget(1000, 5);
    await unpackTar(await tar([{ name: 'a', data: 'x'.repeat(600) }]), 'a', join(parent, 'a'), 'test/ext:1', budget);
    await expect(unpackTar(await tar([{ name: 'b', data: 'x'.repeat(600) }]), 'b', join(parent, 'b'), 'test/ext:1', budget)).rejects.toThrow(/more than 1000 bytes/);
    const many: Item[] = [{ name: 'ui/', type: 'directory' }, ...Array.from({ length: 6 }, (_, index) => ({ name: `ui/f${index}`, data: '' }))];
    await expect(unpackTar(await tar(many), 'ui', join(parent, 'ui'), 'test/ext:1', new UnpackBudget(1000, 5))).rejects.toThrow(/more than 5 files, folders and links/);
  });

  it('refuses one path larger than its own limit', async () => {
    const parent = scratch();
    await expect(unpackTar(await tar([{ name: 'metadata.json', data: 'x'.repeat(600) }]), 'metadata.json', join(parent, 'm'), 'test/ext:1', new UnpackBudget(), 500)).rejects.toThrow(
      /metadata\.json is larger than 500 bytes/,
    );
  });
});

describe('a broken archive', () => {
  it('is an unpack failure that names the path, not a crash', async () => {
    const whole = await tar([{ name: 'ui/', type: 'directory' }, { name: 'ui/index.html', data: 'x'.repeat(2000) }]);
    const chunks: Buffer[] = [];
    for await (const chunk of whole) chunks.push(chunk as Buffer);
    const cut = Readable.from([Buffer.concat(chunks).subarray(0, 1024)]);
    await expect(unpackTar(cut, 'ui', join(scratch(), 'ui'), 'test/ext:1')).rejects.toMatchObject({ name: 'ExtensionUnpackFailed', message: expect.stringContaining('Could not unpack ui of test/ext:1') });
  });
});
