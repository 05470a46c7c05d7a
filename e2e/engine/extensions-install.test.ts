import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Extension } from '../../src/main/api/extensions';
import { extensionKey } from '../../src/main/extensions/key';
import { engineArchitecture } from '../../src/main/extensions/labels';
import { homePaths } from '../../src/main/home';
import { berth, docker, newInstance, repoRoot, type Instance } from '../support/berth';
import { extensionLabels, ICON_SVG, pushExtensionImages, uiExtension, type ExtensionImageSpec } from '../support/extensionImages';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const extensionsDir = homePaths(instance.home).extensionsDir;
const stamp = Date.now();
const repository = `berth-test/ui-ext-${stamp}`;

/**
 * `berth ARGS` at a terminal (a pseudo-terminal made by util-linux's script), the user typing `typed` once
 * asked [y/N]. Resolves with its exit code and everything the terminal showed.
 */
function berthAtTerminal(on: Instance, args: string[], typed: string): Promise<{ code: number | null; shown: string }> {
  const quote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, join(repoRoot, 'bin', 'berth.mjs'), ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { env: on.env });
  let shown = '';
  let answered = false;
  child.stdout.on('data', (data: Buffer) => {
    shown += data.toString();
    if (answered || !shown.includes('[y/N]')) return;
    answered = true;
    child.stdin.write(`${typed}\n`);
  });
  return new Promise((done) =>
    child.on('close', (code) => {
      child.stdin.destroy();
      done({ code, shown });
    }),
  );
}

/** Each image an install must refuse, what the error says, and nothing installed afterwards. */
const refused: Array<{ what: string; spec: ExtensionImageSpec; error: string | RegExp }> = [
  {
    what: 'an image with no extension labels',
    spec: { ...uiExtension(`berth-test/no-labels-${stamp}`, '1.0.0', 'No labels'), labels: { maintainer: 'nobody' } },
    error: /is not a Docker extension: it has none of the labels an extension has \(org\.opencontainers\.image\.title, .*com\.docker\.desktop\.extension\.api\.version\)/,
  },
  {
    what: 'an extension that needs API >= 9.0.0',
    spec: { ...uiExtension(`berth-test/api-9-${stamp}`, '1.0.0', 'Too new'), labels: extensionLabels('Too new', { 'com.docker.desktop.extension.api.version': '>= 9.0.0' }) },
    error: 'needs extension API >= 9.0.0; Berth implements version 0.3.4.',
  },
  {
    what: 'malformed metadata.json',
    spec: uiExtension(`berth-test/bad-metadata-${stamp}`, '1.0.0', 'Bad metadata', { '/metadata.json': '{"icon": "icon.svg", "ui": ' }),
    error: /metadata\.json of .* is not valid JSON/,
  },
  {
    what: 'metadata.json of the wrong shape',
    spec: uiExtension(`berth-test/bad-shape-${stamp}`, '1.0.0', 'Bad shape', {
      '/metadata.json': JSON.stringify({ icon: 'icon.svg', vm: { image: 'x', composefile: 'compose.yaml' } }),
    }),
    error: /metadata\.json of .* is not valid: vm: vm sets exactly one of image and composefile/,
  },
  {
    what: 'an image for another architecture',
    spec: { ...uiExtension(`berth-test/other-arch-${stamp}`, '1.0.0', 'Other arch'), architecture: engineArchitecture() === 'amd64' ? 'arm64' : 'amd64' },
    error: /is built for linux\/(arm64|amd64); this computer runs linux\/(amd64|arm64) images/,
  },
  {
    what: 'an icon over 512 KB',
    spec: uiExtension(`berth-test/big-icon-${stamp}`, '1.0.0', 'Big icon', { '/icon.svg': `<svg xmlns="http://www.w3.org/2000/svg">${'<g/>'.repeat(140_000)}</svg>` }),
    error: /The icon of .* \(\/icon\.svg\) is 5\d\d KB; Berth accepts up to 512 KB/,
  },
  {
    what: 'a missing icon',
    spec: uiExtension(`berth-test/no-icon-${stamp}`, '1.0.0', 'No icon', { '/icon.svg': undefined }),
    error: /has no icon \/icon\.svg, which its metadata\.json names/,
  },
  {
    what: 'a missing UI root',
    spec: uiExtension(`berth-test/no-ui-${stamp}`, '1.0.0', 'No UI', { '/ui/index.html': undefined, '/ui/app.js': undefined, '/other.txt': 'x' }),
    error: /has no UI folder \/ui, which its metadata\.json names/,
  },
  {
    what: 'a chain of symlinks that each look inside its UI folder and resolve outside it',
    spec: uiExtension(`berth-test/symlink-chain-${stamp}`, '1.0.0', 'Symlink chain', { '/ui/sub/a/b/p': { symlink: '../../..' }, '/ui/esc': { symlink: 'sub/a/b/p/../../..' } }),
    error: /holds a file Berth will not unpack: the symlink ui\/(esc|sub\/a\/b\/p) points to (sub\/a\/b\/p\/)?\.\.\/\.\.\/\.\., a path that climbs with "\.\."/,
  },
  {
    // 1 MiB stored once, linked 2,100 times: 2.1 GiB once unpacked, past the limit of 2 GiB per install.
    what: 'a hard-link bomb',
    spec: uiExtension(`berth-test/hardlink-bomb-${stamp}`, '1.0.0', 'Hard-link bomb', {
      '/ui/big.bin': Buffer.alloc(1024 * 1024, 7),
      ...Object.fromEntries(Array.from({ length: 2100 }, (_, index) => [`/ui/copies/${index}.bin`, { hardlink: '/ui/big.bin' }])),
    }),
    error: /holds a file Berth will not unpack: its files add up to more than 2048 MB, hard links counted as copies/,
  },
  {
    what: 'a UI root without its entry page',
    spec: uiExtension(`berth-test/no-page-${stamp}`, '1.0.0', 'No page', { '/ui/index.html': undefined }),
    error: /has no UI page \/ui\/index\.html/,
  },
];

describe('installing Docker Desktop extensions with `berth extension`, from a local registry', () => {
  let registry: LocalRegistry;
  let v1 = '';
  let v2 = '';
  const remotes = new Map<string, string>();

  const folderOf = (image: string): string => join(extensionsDir, extensionKey(image.replace(/:[^:/]+$/, '')));
  // Other test files may leave their own extensions installed; only what this file adds counts.
  let before: string[] = [];
  const entries = (): string[] => (existsSync(extensionsDir) ? readdirSync(extensionsDir) : []);
  const leftovers = (): string[] => entries().filter((name) => !before.includes(name));
  const unpackContainers = async (): Promise<string> =>
    (await docker(instance, ['ps', '-a', '-q', '--filter', 'label=dev.berth.extension.unpack'])).stdout.trim();

  beforeAll(async () => {
    before = entries();
    registry = await startRegistry();
    // A plain-HTTP registry: the engine uses it only once it is listed as insecure.
    await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
    const specs = [
      uiExtension(repository, '1.0.0', 'UI Test'),
      uiExtension(repository, '1.1.0', 'UI Test'),
      ...refused.map((entry) => entry.spec),
    ];
    const pushed = await pushExtensionImages(instance, registry, specs);
    [v1, v2] = pushed;
    refused.forEach((entry, index) => remotes.set(entry.what, pushed[index + 2]));
  });

  afterAll(async () => {
    await berth(instance, ['extension', 'rm', v1]);
    const pulled = [v1, v2, ...remotes.values()];
    await docker(instance, ['rmi', '-f', ...pulled]);
    await registry?.stop();
    await applyRegistrySettings(instance, { certificates: [], insecure: [] });
  });

  it('shows what the extension may do and, with nobody to accept it, installs nothing', async () => {
    const run = await berth(instance, ['extension', 'install', v1]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`UI Test (${v1}) may do this once installed:\n  - Runs docker commands on your engine`);
    expect(run.stderr).toContain('error: UI Test was not installed: nobody accepted what it may do.\nhint: Run the command again with --yes');
    expect(leftovers()).toEqual([]);
  });

  it('asks at a terminal, and installs nothing when the answer is no', async () => {
    const run = await berthAtTerminal(instance, ['extension', 'install', v1], 'n');
    expect(run.code).toBe(1);
    expect(run.shown).toContain('may do this once installed:');
    expect(run.shown).toContain('Accept, and go on? [y/N]');
    expect(run.shown).toContain('error: UI Test was not installed: what it may do was not accepted.');
    expect(leftovers()).toEqual([]);
  });

  it('installs a UI-only extension: pulled, checked and unpacked, each step printed', async () => {
    const began = Date.now();
    const run = await berth(instance, ['extension', 'install', v1, '--yes']);
    console.log(`berth extension install (UI only, pulled from the local registry): ${Date.now() - began} ms`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ok {2}Pull the image.*\n.*ok {2}Check labels and metadata.*\n.*ok {2}Unpack the extension.*\n.*may do this once installed:\n {2}- Runs docker commands on your engine.*\n.*ok {2}Accept what it may do/);
    expect(run.stderr).not.toContain('Start the backend');
    expect(run.stdout).toContain(`Installed UI Test 1.0.0 (${registry.fromGuest}/${repository}).`);

    const folder = folderOf(v1);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    expect(readdirSync(folder).sort()).toEqual(['extension.json', 'icon.svg', 'labels.json', 'metadata.json', 'ui']);
    expect(readdirSync(join(folder, 'ui')).sort()).toEqual(['app.js', 'index.html']);
    expect(readFileSync(join(folder, 'ui', 'index.html'), 'utf8')).toContain('UI Test 1.0.0');
    expect(readFileSync(join(folder, 'icon.svg'), 'utf8')).toBe(ICON_SVG);
    expect(JSON.parse(readFileSync(join(folder, 'labels.json'), 'utf8'))).toMatchObject(extensionLabels('UI Test'));

    const record = Extension.parse(JSON.parse(readFileSync(join(folder, 'extension.json'), 'utf8')));
    expect(record).toMatchObject({
      key: extensionKey(`${registry.fromGuest}/${repository}`),
      id: `${registry.fromGuest}/${repository}`,
      image: v1,
      version: '1.0.0',
      title: 'UI Test',
      vendor: 'Berth tests',
      apiVersion: '>= 0.2.3',
      categories: ['utility-tools'],
      ui: { title: 'UI Test', src: 'index.html' },
      vm: null,
      hostBinaries: [],
    });
    expect(Buffer.from(record.icon.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toBe(ICON_SVG);
    // Nothing else in the folder of extensions, and no container left from reading the image.
    expect(leftovers()).toEqual([record.key]);
    expect(await unpackContainers()).toBe('');
  });

  it('lists it as `docker extension ls` does', async () => {
    const run = await berth(instance, ['extension', 'ls']);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['ID', 'PROVIDER', 'VERSION', 'UI', 'VM', 'HOST']);
    const ours = rows.map((row) => row.split(/\s{2,}/)).filter((cells) => cells[0] === `${registry.fromGuest}/${repository}`);
    expect(ours).toEqual([[`${registry.fromGuest}/${repository}`, 'Berth tests', '1.0.0', '1 tab(UI Test)', '-', '-']]);
  });

  it('refuses to install it twice, pointing to update', async () => {
    const run = await berth(instance, ['extension', 'install', v2, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: The extension ${registry.fromGuest}/${repository} is already installed.`);
    expect(run.stderr).toContain(`hint: To install another version, update it: \`berth extension update ${v2}\``);
    expect(JSON.parse(readFileSync(join(folderOf(v1), 'extension.json'), 'utf8')).version).toBe('1.0.0');
  });

  it('updates it to another tag in place', async () => {
    const run = await berth(instance, ['extension', 'update', v2]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Updated UI Test to 1.1.0');
    const folder = folderOf(v1);
    const record = Extension.parse(JSON.parse(readFileSync(join(folder, 'extension.json'), 'utf8')));
    expect(record).toMatchObject({ image: v2, version: '1.1.0' });
    expect(readFileSync(join(folder, 'ui', 'index.html'), 'utf8')).toContain('UI Test 1.1.0');
    expect(leftovers()).toEqual([record.key]);
    expect(await unpackContainers()).toBe('');
  });

  it('removes it by its id, leaving nothing', async () => {
    const run = await berth(instance, ['extension', 'rm', `${registry.fromGuest}/${repository}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Removed ${registry.fromGuest}/${repository}.`);
    expect(leftovers()).toEqual([]);
    const listed = await berth(instance, ['extension', 'ls']);
    expect(listed.stdout).not.toContain(repository);
    const again = await berth(instance, ['extension', 'rm', `${registry.fromGuest}/${repository}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: No extension ${registry.fromGuest}/${repository} is installed.`);
  });

  for (const { what, error } of refused) {
    it(`refuses ${what}, leaving nothing installed`, async () => {
      const run = await berth(instance, ['extension', 'install', remotes.get(what)!]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(typeof error === 'string' ? new RegExp(error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : error);
      expect(run.stderr).toMatch(/\nhint: \S/);
      expect(leftovers()).toEqual([]);
      expect(await unpackContainers()).toBe('');
    });
  }
});

describe('`berth extension` without a running engine', () => {
  const idle = newInstance();
  afterAll(() => rmSync(idle.home, { recursive: true, force: true }));

  it('says to start Berth first, and lists nothing', async () => {
    const install = await berth(idle, ['extension', 'install', 'docker/disk-usage-extension:0.2.8']);
    expect(install.code).toBe(1);
    expect(install.stderr).toBe('error: The engine is not running.\nhint: Start it with `berth start`, then try again.\n');
    const listed = await berth(idle, ['extension', 'ls']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toBe('ID   PROVIDER   VERSION   UI   VM   HOST\n');
  });
});
