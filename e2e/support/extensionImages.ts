// Docker Desktop extension images made offline: one layer of given files, as a `docker load` archive.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { pack, type Header } from 'tar-stream';
import { engineArchitecture } from '../../src/main/extensions/labels';
import { docker, type Instance } from './berth';
import type { LocalRegistry } from './registry';

/** A file's content; `mode` defaults to 0644 (0755 is what a host binary or a service needs); or a link to another path of the image. */
export type FileSpec = string | Buffer | { data: string | Buffer; mode?: number } | { symlink: string } | { hardlink: string };

export interface ExtensionImageSpec {
  /** As in `docker images`, without the registry: pushImages puts it under the test registry. */
  repository: string;
  tag: string;
  labels: Record<string, string>;
  /** Absolute paths in the image and what they hold; parent folders are made. */
  files: Record<string, FileSpec>;
  cmd?: string[];
  entrypoint?: string[];
  /** Debian's static busybox as /bin/busybox with /bin/sh and common applets, for images that run something. */
  busybox?: boolean;
  /** Defaults: linux and this computer's architecture, as the engine runs them. */
  os?: string;
  architecture?: string;
}

/** A tar entry's header as pack() takes it: a name and whatever differs from the defaults. */
type EntryHeader = Partial<Header> & { name: string };

const APPLETS = ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'wget', 'nc', 'httpd', 'mkdir', 'rm', 'touch', 'env', 'id', 'ps', 'kill', 'test', 'grep', 'date', 'head', 'tr'];
// One time for every entry: the same spec gives the same image id in every run.
const MTIME = new Date('2024-01-01T00:00:00Z');

/** The labels every extension needs, with these values changed or added (undefined drops a label). */
export function extensionLabels(title: string, changes: Record<string, string | undefined> = {}): Record<string, string> {
  const labels: Record<string, string | undefined> = {
    'org.opencontainers.image.title': title,
    'org.opencontainers.image.description': `${title}, made offline for Berth's tests`,
    'org.opencontainers.image.vendor': 'Berth tests',
    'com.docker.desktop.extension.api.version': '>= 0.2.3',
    'com.docker.extension.categories': 'utility-tools',
    'com.docker.extension.publisher-url': 'https://example.com/berth-tests',
    ...changes,
  };
  return Object.fromEntries(Object.entries(labels).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** A small SVG icon. */
export const ICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="#2496ed"/></svg>\n';

/** A UI-only extension: metadata.json, its icon and one page, each replaceable through `files`. */
export function uiExtension(repository: string, tag: string, title: string, files: Record<string, FileSpec | undefined> = {}): ExtensionImageSpec {
  const all: Record<string, FileSpec | undefined> = {
    '/metadata.json': JSON.stringify({ icon: 'icon.svg', ui: { 'dashboard-tab': { title, root: '/ui', src: 'index.html' } } }),
    '/icon.svg': ICON_SVG,
    '/ui/index.html': `<!doctype html><title>${title}</title><h1>${title} ${tag}</h1><script src="app.js"></script>\n`,
    '/ui/app.js': `document.body.dataset.version = ${JSON.stringify(tag)};\n`,
    ...files,
  };
  return {
    repository,
    tag,
    labels: extensionLabels(title),
    files: Object.fromEntries(Object.entries(all).filter((entry): entry is [string, FileSpec] => entry[1] !== undefined)),
  };
}

async function tarOf(entries: Array<{ header: EntryHeader; data?: Buffer }>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const { header, data } of entries) {
    await new Promise<void>((resolve, reject) => archive.entry(header, data ?? Buffer.alloc(0), (error) => (error ? reject(error) : resolve())));
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

const base = { mode: 0o644, uid: 0, gid: 0, mtime: MTIME, uname: 'root', gname: 'root' };

function layerEntries(spec: Pick<ExtensionImageSpec, 'files' | 'busybox'>): Array<{ header: EntryHeader; data?: Buffer }> {
  const files: Record<string, FileSpec> = { ...spec.files };
  if (spec.busybox) {
    files['/bin/busybox'] = { data: readFileSync('/bin/busybox'), mode: 0o755 };
    for (const applet of APPLETS) files[`/bin/${applet}`] ??= { symlink: 'busybox' };
    files['/tmp/.keep'] ??= '';
  }
  const folders = new Set<string>();
  const entries: Array<{ header: EntryHeader; data?: Buffer }> = [];
  for (const [path, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const name = posix.normalize(path).replace(/^\/+/, '');
    const parts = name.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      const folder = parts.slice(0, depth).join('/');
      if (folders.has(folder)) continue;
      folders.add(folder);
      entries.push({ header: { ...base, name: `${folder}/`, type: 'directory', mode: folder === 'tmp' ? 0o1777 : 0o755 } });
    }
    if (typeof content === 'object' && 'symlink' in content) {
      entries.push({ header: { ...base, name, type: 'symlink', linkname: content.symlink, mode: 0o777 } });
    } else if (typeof content === 'object' && 'hardlink' in content) {
      entries.push({ header: { ...base, name, type: 'link', linkname: posix.normalize(content.hardlink).replace(/^\/+/, '') } });
    } else {
      const { data, mode } = typeof content === 'string' || Buffer.isBuffer(content) ? { data: content, mode: 0o644 } : { data: content.data, mode: content.mode ?? 0o644 };
      const bytes = Buffer.from(data);
      entries.push({ header: { ...base, name, type: 'file', mode, size: bytes.length }, data: bytes });
    }
  }
  return entries;
}

/** The tar of `files` (and busybox, when asked) as an image's one layer holds them: also a plugin's rootfs. */
export const filesTar = (spec: Pick<ExtensionImageSpec, 'files' | 'busybox'>): Promise<Buffer> => tarOf(layerEntries(spec));

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** The images of `specs`, tagged repository:tag, as one archive `docker load` reads. */
export async function extensionImageArchive(specs: ExtensionImageSpec[]): Promise<Buffer> {
  const entries: Array<{ header: EntryHeader; data: Buffer }> = [];
  const manifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  for (const spec of specs) {
    const layer = await tarOf(layerEntries(spec));
    const layerId = sha256(layer);
    const config = Buffer.from(
      JSON.stringify({
        architecture: spec.architecture ?? engineArchitecture(),
        os: spec.os ?? 'linux',
        created: MTIME.toISOString(),
        config: { Labels: spec.labels, Cmd: spec.cmd ?? null, Entrypoint: spec.entrypoint ?? null, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
        rootfs: { type: 'layers', diff_ids: [`sha256:${layerId}`] },
        history: [{ created: MTIME.toISOString(), created_by: `berth test image ${spec.repository}:${spec.tag}` }],
      }),
    );
    const configName = `${sha256(config)}.json`;
    if (!entries.some((entry) => entry.header.name === `${layerId}/layer.tar`)) {
      entries.push({ header: { ...base, name: `${layerId}/layer.tar`, type: 'file', size: layer.length }, data: layer });
    }
    entries.push({ header: { ...base, name: configName, type: 'file', size: config.length }, data: config });
    manifest.push({ Config: configName, RepoTags: [`${spec.repository}:${spec.tag}`], Layers: [`${layerId}/layer.tar`] });
  }
  const manifestJson = Buffer.from(JSON.stringify(manifest));
  entries.push({ header: { ...base, name: 'manifest.json', type: 'file', size: manifestJson.length }, data: manifestJson });
  return tarOf(entries);
}

async function cli(instance: Instance, args: string[], input?: Buffer): Promise<string> {
  const run = await docker(instance, args, { input });
  if (run.code !== 0) throw new Error(`docker ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

/** Loads the images into the instance's engine, tagged repository:tag. */
export async function loadExtensionImages(instance: Instance, specs: ExtensionImageSpec[]): Promise<void> {
  await cli(instance, ['load'], await extensionImageArchive(specs));
}

/**
 * Loads the images, pushes each to `registry` as <registry>/<repository>:<tag> and drops every local tag,
 * so an install has to pull. The registry must be listed as insecure (applyRegistrySettings). Returns
 * the references as the engine names them.
 */
export async function pushExtensionImages(instance: Instance, registry: LocalRegistry, specs: ExtensionImageSpec[]): Promise<string[]> {
  await loadExtensionImages(instance, specs);
  const references: string[] = [];
  for (const spec of specs) {
    const local = `${spec.repository}:${spec.tag}`;
    const remote = `${registry.fromGuest}/${local}`;
    await cli(instance, ['tag', local, remote]);
    await cli(instance, ['push', remote]);
    await cli(instance, ['rmi', local, remote]);
    references.push(remote);
  }
  return references;
}
