import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAsset } from './assets';
import { readFileInside } from './fileInside';

describe('serving an extension folder', () => {
  let parent = '';
  let root = '';

  // A folder unpacked before links were checked: a chain of links that each look inside, leading out.
  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'berth-inside-'));
    writeFileSync(join(parent, 'secret'), 'id_ed25519');
    root = join(parent, 'ext', 'ui');
    mkdirSync(join(root, 'sub', 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<h1>page</h1>');
    symlinkSync('../../..', join(root, 'sub', 'a', 'b', 'p'));
    symlinkSync('sub/a/b/p/../../..', join(root, 'esc'));
    symlinkSync('index.html', join(root, 'home.html'));
    symlinkSync(join(parent, 'secret'), join(root, 'absolute'));
  });
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('serves files and links that stay inside', async () => {
    expect((await readAsset(root, '/'))?.body.toString()).toBe('<h1>page</h1>');
    expect(await readAsset(root, '/home.html')).toEqual({ body: Buffer.from('<h1>page</h1>'), type: 'text/html; charset=utf-8' });
  });

  it('refuses a chain of links that resolves outside, and an absolute link', async () => {
    // What the lexical check alone let through: ui/esc/../secret is ui/esc/secret, inside on its face.
    expect(await readAsset(root, '/esc/secret')).toBeNull();
    expect(await readAsset(root, '/esc/ext/ui/index.html')).toBeNull();
    expect(await readAsset(root, '/absolute')).toBeNull();
    expect(await readFileInside(root, join(root, 'sub/a/b/p/index.html'))).toEqual(Buffer.from('<h1>page</h1>'));
    expect(await readFileInside(root, join(root, 'esc', 'secret'))).toBeNull();
  });

  it('serves no folder, nothing missing, and nothing outside by a climbing path', async () => {
    expect(await readAsset(root, '/sub')).toBeNull();
    expect(await readAsset(root, '/missing.js')).toBeNull();
    expect(await readAsset(root, '/../../secret')).toBeNull();
    expect(await readFileInside(root, join(parent, 'secret'))).toBeNull();
  });
});
