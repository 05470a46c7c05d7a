import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { engineArchitecture } from '../../src/main/extensions/labels';
import { extensionImageArchive, uiExtension } from './extensionImages';

/** Every entry of a tar: name, type, mode, link and content. */
async function entries(tar: Buffer): Promise<Map<string, { type: string; mode: number; linkname: string; data: Buffer }>> {
  const found = new Map<string, { type: string; mode: number; linkname: string; data: Buffer }>();
  const reader = extract();
  Readable.from([tar]).pipe(reader as unknown as NodeJS.WritableStream);
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    found.set(entry.header.name, { type: entry.header.type, mode: entry.header.mode, linkname: entry.header.linkname, data: Buffer.concat(chunks) });
  }
  return found;
}

describe('extension test images, made offline', () => {
  it('writes a `docker load` archive: manifest, config with labels and platform, one layer of the files', async () => {
    const spec = uiExtension('berth-test/ext', '1.0.0', 'Ext', { '/bin/tool': { data: 'run', mode: 0o755 }, '/link': { symlink: 'bin/tool' } });
    const archive = await entries(await extensionImageArchive([{ ...spec, cmd: ['/bin/tool'], busybox: true }]));
    const [manifest] = JSON.parse(archive.get('manifest.json')!.data.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    expect(manifest.RepoTags).toEqual(['berth-test/ext:1.0.0']);
    const config = JSON.parse(archive.get(manifest.Config)!.data.toString());
    expect(config).toMatchObject({ os: 'linux', architecture: engineArchitecture(), config: { Labels: spec.labels, Cmd: ['/bin/tool'] } });
    const layer = await entries(archive.get(manifest.Layers[0])!.data);
    expect(config.rootfs.diff_ids).toHaveLength(1);
    expect(layer.get('metadata.json')!.data.toString()).toContain('dashboard-tab');
    expect(layer.get('ui/')!.type).toBe('directory');
    expect(layer.get('bin/tool')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(layer.get('link')).toMatchObject({ type: 'symlink', linkname: 'bin/tool' });
    expect(layer.get('bin/busybox')!.data.length).toBeGreaterThan(100_000);
    expect(layer.get('bin/sh')).toMatchObject({ type: 'symlink', linkname: 'busybox' });
  });

  it('gives the same bytes for the same spec', async () => {
    const spec = uiExtension('berth-test/ext', '1.0.0', 'Ext');
    expect((await extensionImageArchive([spec])).equals(await extensionImageArchive([spec]))).toBe(true);
  });
});
