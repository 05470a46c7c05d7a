import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Extension, ExtensionRequest } from '../api/extensions';
import { browseFolder, checkExternalLink, DialogQuestions } from './requests';

describe('checkExternalLink', () => {
  it('lets http and https through', () => {
    expect(checkExternalLink('https://docs.docker.com/extensions/')).toBe('https://docs.docker.com/extensions/');
    expect(checkExternalLink('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
  });

  it.each(['file:///etc/passwd', 'javascript:alert(1)', 'ftp://example.com/', 'smb://host/share', 'not a url'])('refuses %s', (url) => {
    expect(() => checkExternalLink(url)).toThrow(expect.objectContaining({ name: 'LinkRefused' }));
  });
});

describe('DialogQuestions', () => {
  const extension = { key: '0123456789abcdef', title: 'Demo' } as Extension;

  it('asks every window and settles with the first answer', async () => {
    const asked: ExtensionRequest[] = [];
    const questions = new DialogQuestions((request) => asked.push(request));
    const answer = questions.ask(extension, false, true);
    expect(asked).toEqual([{ kind: 'openDialog', key: extension.key, title: 'Demo', id: 1, directory: false, multiple: true }]);
    questions.answer(1, ['/tmp/a', '/tmp/b']);
    questions.answer(1, null);
    await expect(answer).resolves.toEqual({ canceled: false, filePaths: ['/tmp/a', '/tmp/b'] });
  });

  it('cancels a question nobody answers', async () => {
    const questions = new DialogQuestions(() => undefined, 10);
    await expect(questions.ask(extension, true, false)).resolves.toEqual({ canceled: true, filePaths: [] });
  });
});

describe('browseFolder', () => {
  it('lists folders first, then files, with the parent', async () => {
    const root = mkdtempSync(join(tmpdir(), 'bt-browse-'));
    mkdirSync(join(root, 'zeta'));
    writeFileSync(join(root, 'alpha.txt'), 'a');
    const listing = await browseFolder(root);
    expect(listing.path).toBe(root);
    expect(listing.parent).toBe(tmpdir());
    expect(listing.entries).toEqual([
      { name: 'zeta', directory: true },
      { name: 'alpha.txt', directory: false },
    ]);
    await expect(browseFolder(join(root, 'alpha.txt'))).rejects.toThrow('is not a folder');
    await expect(browseFolder(join(root, 'missing'))).rejects.toThrow('does not exist');
    expect((await browseFolder('/')).parent).toBeNull();
  });
});
