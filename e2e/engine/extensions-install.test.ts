import Docker from 'dockerode';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Extension, type InstallProgress, type TrustQuestion } from '../../src/main/api/extensions';
import { ICON_LABEL } from '../../src/main/extensions/icon';
import { installExtension, updateExtension, type Backends, type InstallContext } from '../../src/main/extensions/install';
import { removeExtension } from '../../src/main/extensions/remove';
import { extensionKey } from '../../src/main/extensions/key';
import { engineArchitecture } from '../../src/main/extensions/labels';
import { homePaths } from '../../src/main/home';
import { berth, docker, newInstance } from '../support/berth';
import { extensionLabels, ICON_SVG, loadExtensionImages, pushExtensionImages, uiExtension, type ExtensionImageSpec } from '../support/extensionImages';
import { startRegistry, type LocalRegistry } from '../support/registry';
import { applyRegistrySettings } from '../support/registrySettings';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const extensionsDir = homePaths(instance.home).extensionsDir;
const stamp = Date.now();
const repository = `berth-test/ui-ext-${stamp}`;

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

/** Backends that only record what they are asked, and fail a start when told to: the VM side is tested apart. */
class RecordingBackends implements Backends {
  calls: string[] = [];
  failStart: string | null = null;
  async start(ext: Extension, folder: string): Promise<void> {
    this.calls.push(`start ${ext.version} ${existsSync(join(folder, 'vm', 'compose.yaml'))}`);
    if (this.failStart === ext.version) throw new Error(`backend ${ext.version} would not start`);
  }
  async remove(ext: Extension, options: { keepVolumes: boolean }): Promise<void> {
    this.calls.push(`remove ${ext.version} keepVolumes=${options.keepVolumes}`);
  }
}

describe('the install pipeline on the real engine, with images loaded locally', () => {
  const docker = new Docker({ socketPath: instance.socket });
  const backends = new RecordingBackends();
  const lines: string[] = [];
  /** The trust questions asked, each answered with `accept`. */
  const trust = { questions: [] as TrustQuestion[], accept: true };
  const askTrust: InstallContext['askTrust'] = async (question, _signal, show) => {
    const asked = { id: String(trust.questions.length), ...question };
    trust.questions.push(asked);
    show(asked);
    if (!trust.accept) throw new Error(`declined ${question.title}`);
  };
  const ctx: InstallContext = { docker, extensionsDir, backends, network: 'host-only', askTrust, log: (line) => lines.push(line) };
  const repo = `berth-test/full-${stamp}`;
  const metadata = (vm: unknown) =>
    JSON.stringify({
      icon: '/assets/logo.png',
      ui: { 'dashboard-tab': { title: 'Full', root: 'app/ui', src: 'pages/main.html', backend: { socket: 'full.sock' } } },
      vm,
      host: { binaries: [{ linux: [{ path: '/linux/full-tool' }], darwin: [{ path: '/darwin/full-tool' }] }, { linux: [{ path: 'linux/helper' }] }] },
    });
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  const full = (tag: string, vm: unknown, extra: ExtensionImageSpec['files'] = {}): ExtensionImageSpec => ({
    repository: repo,
    tag,
    labels: extensionLabels('Full', { 'com.docker.extension.screenshots': '[{"alt":"main","url":"https://example.com/1.png"}]' }),
    files: {
      '/metadata.json': metadata(vm),
      '/assets/logo.png': png,
      '/app/ui/pages/main.html': `<h1>Full ${tag}</h1>`,
      '/app/ui/pages/same.html': { symlink: 'main.html' },
      '/linux/full-tool': { data: '#!/bin/sh\necho tool\n', mode: 0o755 },
      '/linux/helper': { data: '#!/bin/sh\necho helper\n', mode: 0o755 },
      '/darwin/full-tool': 'not for linux',
      ...extra,
    },
  });
  const specs = [
    full('1.0.0', { image: '${DESKTOP_PLUGIN_IMAGE}', exposes: { socket: 'full.sock' } }),
    full('2.0.0', { composefile: 'backend/docker-compose.yml' }, { '/backend/docker-compose.yml': 'services:\n  api:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n', '/backend/config/settings.env': 'A=1\n' }),
    full('3.0.0', { composefile: 'docker-compose.yaml' }, { '/docker-compose.yaml': 'services:\n  root:\n    image: ${DESKTOP_PLUGIN_IMAGE}\n' }),
  ];
  const image = (tag: string): string => `${repo}:${tag}`;
  const folder = join(extensionsDir, extensionKey(repo));
  let before: string[] = [];
  const leftovers = (): string[] => (existsSync(extensionsDir) ? readdirSync(extensionsDir).filter((name) => !before.includes(name)) : []);

  beforeAll(async () => {
    before = existsSync(extensionsDir) ? readdirSync(extensionsDir) : [];
    await loadExtensionImages(instance, specs);
  });

  afterAll(async () => {
    if (existsSync(folder)) await removeExtension(ctx, extensionKey(repo));
    await docker.getImage(image('1.0.0')).remove({ force: true }).catch(() => undefined);
    await docker.getImage(image('2.0.0')).remove({ force: true }).catch(() => undefined);
    await docker.getImage(image('3.0.0')).remove({ force: true }).catch(() => undefined);
  });

  it('uses the image on this computer when no registry has it, and unpacks a backend and host binaries', async () => {
    const progress: InstallProgress[] = [];
    const record = await installExtension(ctx, image('1.0.0'), new AbortController().signal, (update) => progress.push(update));
    expect(progress.filter((update) => update.state === 'done').map((update) => update.step)).toEqual(['pull', 'check', 'extract', 'trust', 'backend']);
    // Asked once everything was unpacked and checked, before the backend started.
    expect(progress.find((update) => update.trust)?.trust).toEqual({
      id: '0',
      title: 'Full',
      image: image('1.0.0'),
      permissions: [
        { kind: 'docker', text: expect.stringMatching(/^Runs docker commands on your engine/) },
        { kind: 'backend', text: "Runs a backend service in Berth's VM." },
        { kind: 'host', text: 'Runs programs it ships on this computer, as you: full-tool, helper.' },
      ],
    });
    expect(progress.find((update) => update.step === 'pull' && update.pull?.status)?.pull?.status).toMatch(/^Using the image on this computer/);
    expect(record).toMatchObject({
      id: repo,
      version: '1.0.0',
      ui: { title: 'Full', src: 'pages/main.html' },
      vm: { kind: 'image', socket: 'full.sock' },
      hostBinaries: ['full-tool', 'helper'],
      screenshots: [{ alt: 'main', url: 'https://example.com/1.png' }],
    });
    expect(record.icon).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(readdirSync(folder).sort()).toEqual(['extension.json', 'host', 'icon.png', 'labels.json', 'metadata.json', 'ui', 'vm']);
    expect(readFileSync(join(folder, 'ui', 'pages', 'same.html'), 'utf8')).toBe('<h1>Full 1.0.0</h1>');
    expect(readFileSync(join(folder, 'vm', 'compose.yaml'), 'utf8')).toBe('services:\n  backend:\n    image: "${DESKTOP_PLUGIN_IMAGE}"\n');
    expect(readdirSync(join(folder, 'host')).sort()).toEqual(['full-tool', 'helper']);
    for (const name of ['full-tool', 'helper']) expect(statSync(join(folder, 'host', name)).mode & 0o777).toBe(0o700);
    expect(statSync(join(folder, 'host')).mode & 0o777).toBe(0o700);
    expect(backends.calls).toEqual(['start 1.0.0 true']);
  });

  it('updates to a compose-file backend: the old backend goes with its volumes kept, the new one starts', async () => {
    backends.calls = [];
    const asked = trust.questions.length;
    const record = await updateExtension(ctx, extensionKey(repo), image('2.0.0'), new AbortController().signal, () => undefined);
    expect(record).toMatchObject({ version: '2.0.0', vm: { kind: 'compose', socket: 'full.sock' } });
    // It may do nothing the old version could not: no question.
    expect(trust.questions.length).toBe(asked);
    expect(backends.calls).toEqual(['remove 1.0.0 keepVolumes=true', 'start 2.0.0 true']);
    // The compose file's folder comes whole, the file under the name compose.yaml.
    expect(readdirSync(join(folder, 'vm')).sort()).toEqual(['compose.yaml', 'config']);
    expect(readFileSync(join(folder, 'vm', 'compose.yaml'), 'utf8')).toContain('api:');
    expect(readFileSync(join(folder, 'vm', 'config', 'settings.env'), 'utf8')).toBe('A=1\n');
    expect(leftovers()).toEqual([extensionKey(repo)]);
  });

  it('puts the old version back when the new backend does not start', async () => {
    backends.calls = [];
    backends.failStart = '3.0.0';
    await expect(updateExtension(ctx, repo, image('3.0.0'), new AbortController().signal, () => undefined)).rejects.toThrow('backend 3.0.0 would not start');
    backends.failStart = null;
    expect(backends.calls).toEqual(['remove 2.0.0 keepVolumes=true', 'start 3.0.0 true', 'remove 3.0.0 keepVolumes=true', 'start 2.0.0 true']);
    expect(JSON.parse(readFileSync(join(folder, 'extension.json'), 'utf8')).version).toBe('2.0.0');
    expect(readFileSync(join(folder, 'vm', 'compose.yaml'), 'utf8')).toContain('api:');
    expect(leftovers()).toEqual([extensionKey(repo)]);
  });

  it('refuses an update to another repository', async () => {
    await expect(updateExtension(ctx, repo, `berth-test/other-${stamp}:1.0.0`, new AbortController().signal, () => undefined)).rejects.toMatchObject({
      name: 'ExtensionMismatch',
    });
  });

  it('removes it with its backend, volumes and all', async () => {
    backends.calls = [];
    await removeExtension(ctx, repo);
    expect(backends.calls).toEqual(['remove 2.0.0 keepVolumes=false']);
    expect(leftovers()).toEqual([]);
  });

  it('leaves nothing when the backend does not start on install, or the install is cancelled', async () => {
    backends.calls = [];
    backends.failStart = '3.0.0';
    await expect(installExtension(ctx, image('3.0.0'), new AbortController().signal, () => undefined)).rejects.toThrow('backend 3.0.0 would not start');
    backends.failStart = null;
    expect(backends.calls).toEqual(['start 3.0.0 true', 'remove 3.0.0 keepVolumes=false']);
    expect(leftovers()).toEqual([]);

    const cancel = new AbortController();
    const cancelled = installExtension(ctx, image('3.0.0'), cancel.signal, (update) => {
      if (update.step === 'check' && update.state === 'running') cancel.abort();
    });
    await expect(cancelled).rejects.toMatchObject({ name: 'Cancelled' });
    expect(leftovers()).toEqual([]);
    expect((await docker.listContainers({ all: true, filters: { label: ['dev.berth.extension.unpack'] } })).length).toBe(0);
  });

  it('installs nothing, and starts no backend, when what it may do is declined', async () => {
    backends.calls = [];
    trust.accept = false;
    try {
      await expect(installExtension(ctx, image('1.0.0'), new AbortController().signal, () => undefined)).rejects.toThrow('declined Full');
    } finally {
      trust.accept = true;
    }
    expect(backends.calls).toEqual([]);
    expect(leftovers()).toEqual([]);
  });

  it("installs an image whose metadata.json names no icon with its label's icon, fetched in normal network mode", async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'Content-Type': 'image/png' }).end(png);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const iconUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logo.png`;
    const labelled = `berth-test/label-icon-${stamp}`;
    try {
      await loadExtensionImages(instance, [
        {
          ...uiExtension(labelled, '1.0.0', 'Label icon', {
            '/metadata.json': JSON.stringify({ ui: { 'dashboard-tab': { title: 'Label icon', root: '/ui', src: 'index.html' } } }),
            '/icon.svg': undefined,
          }),
          labels: extensionLabels('Label icon', { [ICON_LABEL]: iconUrl }),
        },
      ]);
      const record = await installExtension({ ...ctx, network: 'normal' }, `${labelled}:1.0.0`, new AbortController().signal, () => undefined);
      expect(record.icon).toBe(`data:image/png;base64,${png.toString('base64')}`);
      expect(requests).toEqual(['/logo.png']);
      const labelledFolder = join(extensionsDir, extensionKey(labelled));
      expect(readdirSync(labelledFolder).sort()).toEqual(['extension.json', 'icon.png', 'labels.json', 'metadata.json', 'ui']);
      expect(readFileSync(join(labelledFolder, 'icon.png'))).toEqual(png);
      expect(lines).toContain(`extensions: the icon of ${labelled}:1.0.0 came from ${iconUrl}`);
    } finally {
      if (existsSync(join(extensionsDir, extensionKey(labelled)))) await removeExtension(ctx, labelled);
      await docker.getImage(`${labelled}:1.0.0`).remove({ force: true }).catch(() => undefined);
      await new Promise((done) => server.close(done));
    }
    expect(leftovers()).toEqual([]);
  });
});
