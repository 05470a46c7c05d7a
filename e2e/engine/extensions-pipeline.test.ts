import Docker from 'dockerode';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Extension, InstallProgress, TrustQuestion } from '../../src/main/api/extensions';
import { ICON_LABEL } from '../../src/main/extensions/icon';
import { installExtension, updateExtension, type Backends, type InstallContext } from '../../src/main/extensions/install';
import { removeExtension } from '../../src/main/extensions/remove';
import { extensionKey } from '../../src/main/extensions/key';
import { homePaths } from '../../src/main/home';
import { extensionLabels, loadExtensionImages, uiExtension, type ExtensionImageSpec } from '../support/extensionImages';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const extensionsDir = homePaths(instance.home).extensionsDir;
const stamp = Date.now();

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
