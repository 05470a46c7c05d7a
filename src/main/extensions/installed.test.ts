import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Extension } from '../api/extensions';
import { findInstalled, listInstalled, recoverLeftovers, writeRecord } from './installed';
import { extensionKey } from './key';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-installed-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function record(id: string, title: string, version = '1.0.0'): Extension {
  return {
    key: extensionKey(id),
    id,
    image: `${id}:${version}`,
    version,
    title,
    description: 'd',
    vendor: 'v',
    apiVersion: '0.3.4',
    icon: 'data:image/svg+xml;base64,',
    detailedDescription: '',
    changelog: '',
    publisherUrl: '',
    screenshots: [],
    additionalUrls: [],
    categories: [],
    ui: null,
    vm: null,
    hostBinaries: [],
    installedAt: '2024-01-01T00:00:00.000Z',
  };
}

async function install(dir: string, extension: Extension): Promise<string> {
  const folder = join(dir, extension.key);
  mkdirSync(folder);
  await writeRecord(folder, extension);
  return folder;
}

describe('installed extensions', () => {
  it('lists records by title, skipping broken ones with a log line, and folders without a record', async () => {
    const dir = scratch();
    await install(dir, record('team/zeta', 'Zeta'));
    await install(dir, record('team/alpha', 'Alpha'));
    const broken = join(dir, extensionKey('team/broken'));
    mkdirSync(broken);
    writeFileSync(join(broken, 'extension.json'), '{"key": "nope"}');
    mkdirSync(join(dir, extensionKey('team/unfinished')));
    mkdirSync(join(dir, '.staging-123'));
    const lines: string[] = [];
    expect(listInstalled(dir, (line) => lines.push(line)).map((extension) => extension.title)).toEqual(['Alpha', 'Zeta']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`skipping ${join(broken, 'extension.json')}`);
    expect(listInstalled(join(dir, 'missing'))).toEqual([]);
  });

  it('finds one by key, id or image reference, and says what is installed otherwise', async () => {
    const dir = scratch();
    const alpha = record('team/alpha', 'Alpha');
    await install(dir, alpha);
    expect(findInstalled(dir, alpha.key).id).toBe('team/alpha');
    expect(findInstalled(dir, 'team/alpha').key).toBe(alpha.key);
    expect(findInstalled(dir, 'docker.io/team/alpha:2.0.0').key).toBe(alpha.key);
    expect(() => findInstalled(dir, 'team/other')).toThrow(
      expect.objectContaining({ name: 'ExtensionNotFound', message: 'No extension team/other is installed.', hint: expect.stringContaining('Installed: team/alpha') }),
    );
    expect(() => findInstalled(dir, 'Not A Reference')).toThrow(expect.objectContaining({ name: 'ExtensionNotFound' }));
  });

  it('tidies what a crash left: staging and removal folders, unfinished installs, and an update cut between its renames', async () => {
    const dir = scratch();
    const kept = await install(dir, record('team/kept', 'Kept'));
    const updated = record('team/updated', 'Updated');
    // The old version renamed away, the new one not yet in place.
    mkdirSync(join(dir, `.old-${updated.key}-1700000000000`));
    await writeRecord(join(dir, `.old-${updated.key}-1700000000000`), updated);
    // A finished update whose old folder was not yet deleted.
    mkdirSync(join(dir, `.old-${extensionKey('team/kept')}-1700000000000`));
    mkdirSync(join(dir, '.staging-abc'));
    mkdirSync(join(dir, `.removing-${extensionKey('team/gone')}-1`));
    mkdirSync(join(dir, extensionKey('team/unfinished')));
    const lines: string[] = [];
    await recoverLeftovers(dir, (line) => lines.push(line));
    expect(readdirSync(dir).sort()).toEqual([updated.key, extensionKey('team/kept')].sort());
    expect(existsSync(join(kept, 'extension.json'))).toBe(true);
    expect(findInstalled(dir, 'team/updated').version).toBe('1.0.0');
    expect(lines.sort()).toEqual([
      `extensions: an update of ${updated.key} was cut short; the previous version is back`,
      `extensions: removing ${extensionKey('team/unfinished')}, an install cut short`,
    ].sort());
  });
});
