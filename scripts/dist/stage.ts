// Stages what one installer carries into dist/stage/<os>-<arch>/, laid out as the app's resources folder
// (src/main/resources.ts): the guest image, the docker CLI plugins for the target's host, and on macOS and
// Windows QEMU. electron-builder.yml then copies each staged folder into the app.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { PluginList } from '../../src/main/engine/cliPlugins';
import { carriesQemu, IMAGE_ID_FILE, layout, PLUGIN_LIST_FILE, qemuFileName } from '../../src/main/resources';
import { guestOf, hostOf, stageDir, targetName, type Target } from './targets';

export interface StageSources {
  /** A built guest image for the target's guest: a folder of the image cache, named by the image's id. */
  image: string;
  /** macOS and Windows: a relocatable QEMU tree (bin/ with the emulator and its libraries, share/qemu/). */
  qemu?: string;
  /** Fetches a URL's body; Docker's release builds of the CLI plugins come through it where the image has none for the host. */
  download?: (url: string) => Promise<Buffer>;
  /** The base of the release downloads (GitHub's, unless a mirror is given). */
  releases?: string;
}

/** Fetches a URL's body, failing on any answer but 200. */
export async function httpDownload(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return Buffer.from(await response.arrayBuffer());
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What staging reads from an image's manifest: the plugins it exported and the versions of its compose and buildx. */
const Manifest = z.object({ compose: z.string().optional(), buildx: z.string().optional(), cliPlugins: PluginList.optional() });
type Manifest = z.infer<typeof Manifest>;

function readManifest(image: string): Manifest {
  const file = join(image, 'manifest.json');
  if (!existsSync(file)) throw new Error(`${image} is not a built guest image (no manifest.json): build one with \`berth image build\`.`);
  const read = Manifest.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!read.success) throw new Error(`${file} is not a guest image manifest (${read.error.message}): rebuild the image.`);
  return read.data;
}

/** The image's files, without its CLI plugins (staged apart, for the host), and its id: the cache folder's name. */
function stageImage(image: string, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const entry of readdirSync(image, { withFileTypes: true })) {
    if (entry.isFile()) cpSync(join(image, entry.name), join(dest, entry.name));
  }
  writeFileSync(join(dest, IMAGE_ID_FILE), `${basename(image)}\n`);
}

/** The image's own plugins (Linux binaries of the guest's architecture, which is the Linux host's), checked against its manifest. */
function stageImagePlugins(image: string, listed: PluginList, dest: string): void {
  mkdirSync(dest, { recursive: true });
  for (const [name, entry] of Object.entries(listed)) {
    const bytes = readFileSync(join(image, 'cli-plugins', name));
    if (sha256(bytes) !== entry.sha256) throw new Error(`${join(image, 'cli-plugins', name)} is not the file the image's manifest lists: rebuild the image.`);
    writeFileSync(join(dest, name), bytes, { mode: 0o755 });
  }
  writeFileSync(join(dest, PLUGIN_LIST_FILE), `${JSON.stringify(listed, null, 2)}\n`);
}

/** The upstream release of a Debian package version: 1:2.26.1-4 and 2.26.1+ds1-3 are both 2.26.1. */
export const upstreamVersion = (debian: string): string => debian.replace(/^\d+:/, '').replace(/-[^-]*$/, '').replace(/[+~].*$/, '');

/** Where Docker publishes each plugin's builds and checksums, by release; names as Docker's release pages give them. */
export function releaseAssets(target: Target, versions: { compose: string; buildx: string }): { name: string; pkg: string; version: string; path: string; sums: string }[] {
  const { platform } = hostOf(target);
  const os = platform === 'win32' ? 'windows' : platform;
  const exe = platform === 'win32' ? '.exe' : '';
  const composeAsset = `docker-compose-${os}-${target.arch === 'arm64' ? 'aarch64' : 'x86_64'}${exe}`;
  const buildxAsset = `buildx-v${versions.buildx}.${os}-${target.arch === 'arm64' ? 'arm64' : 'amd64'}${exe}`;
  const compose = `docker/compose/releases/download/v${versions.compose}`;
  const buildx = `docker/buildx/releases/download/v${versions.buildx}`;
  return [
    { name: `docker-compose${exe}`, pkg: 'docker/compose', version: versions.compose, path: `${compose}/${composeAsset}`, sums: `${compose}/${composeAsset}.sha256` },
    { name: `docker-buildx${exe}`, pkg: 'docker/buildx', version: versions.buildx, path: `${buildx}/${buildxAsset}`, sums: `${buildx}/checksums.txt` },
  ];
}

/** The digest a checksums file gives for `asset` (`HEX *NAME` or `HEX  NAME` lines; a lone digest for its own file). */
export function digestFor(sums: string, asset: string): string | null {
  for (const line of sums.split('\n')) {
    const [digest, name] = line.trim().split(/\s+\*?/);
    if (/^[0-9a-f]{64}$/.test(digest ?? '') && (name === undefined || name === asset)) return digest!;
  }
  return null;
}

/** Docker's release builds of the plugins at the image's versions, each checked against its release's published digest. */
async function fetchReleasePlugins(target: Target, manifest: Manifest, dest: string, sources: StageSources): Promise<void> {
  const { download, releases = 'https://github.com' } = sources;
  if (!download) throw new Error(`The ${targetName(target)} installer needs Docker's release builds of the CLI plugins, and no download was allowed.`);
  if (!manifest.compose || !manifest.buildx) throw new Error("The image's manifest names no compose and buildx versions: rebuild it.");
  const versions = { compose: upstreamVersion(manifest.compose), buildx: upstreamVersion(manifest.buildx) };
  mkdirSync(dest, { recursive: true });
  const listed: PluginList = {};
  for (const asset of releaseAssets(target, versions)) {
    const [bytes, sums] = await Promise.all([download(`${releases}/${asset.path}`), download(`${releases}/${asset.sums}`)]);
    const want = digestFor(sums.toString('utf8'), basename(asset.path));
    if (!want || sha256(bytes) !== want) throw new Error(`${releases}/${asset.path} does not match the digest its release publishes.`);
    writeFileSync(join(dest, asset.name), bytes, { mode: 0o755 });
    listed[asset.name] = { package: asset.pkg, version: asset.version, sha256: want, size: bytes.length };
  }
  writeFileSync(join(dest, PLUGIN_LIST_FILE), `${JSON.stringify(listed, null, 2)}\n`);
}

/** A relocatable QEMU tree, copied whole (its licence and source offer travel with it), checked for the emulator and its data. */
function stageQemu(target: Target, tree: string | undefined, dest: string): void {
  const { platform } = hostOf(target);
  const binary = join('bin', qemuFileName(platform, guestOf(target)));
  if (!tree || !existsSync(join(tree, binary)) || !existsSync(join(tree, 'share', 'qemu'))) {
    throw new Error(`The ${targetName(target)} installer carries QEMU: pass --qemu DIR, a QEMU tree holding ${binary} and share/qemu/ (docs/platforms.md says where it comes from).`);
  }
  cpSync(tree, dest, { recursive: true });
}

/** Stages everything `target`'s installer carries and returns the stage folder. */
export async function stage(root: string, target: Target, sources: StageSources): Promise<string> {
  const dir = stageDir(root, target);
  rmSync(dir, { recursive: true, force: true });
  const host = hostOf(target);
  const manifest = readManifest(sources.image);
  stageImage(sources.image, join(dir, layout.image(guestOf(target))));
  const listed = manifest.cliPlugins ?? {};
  const plugins = join(dir, layout.cliPlugins(host));
  if (host.platform === 'linux' && Object.keys(listed).length > 0) stageImagePlugins(sources.image, listed, plugins);
  else await fetchReleasePlugins(target, manifest, plugins, sources);
  if (carriesQemu(host.platform)) stageQemu(target, sources.qemu, join(dir, layout.qemu(host)));
  return dir;
}
