import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { BerthError } from '../api/errors';
import type { Extension, InstallProgress, Permission } from '../api/extensions';
import type { TransferProgress } from '../api/images';
import { refusal } from '../engine/client';
import { pullImage, type TransferAuth } from '../engine/images/transfer';
import type { NetworkMode } from '../settings/schema';
import { ICON_LABEL, labelIcon, shippedIcon } from './icon';
import { ImageFiles, removeFolder, scratchFolder, SINGLE_FILE_LIMIT } from './imageFiles';
import { extensionFolder, findInstalled, RECORD, writeRecord } from './installed';
import { extensionKey, repositoryOf, versionOf } from './key';
import { checkPlatform, readLabels } from './labels';
import { backendSocket, hostBinaryPaths, inImage, parseMetadata, type Metadata } from './metadata';
import { permissionsOf, type AskTrust } from './trust';

/** Starts and removes extension backends (compose projects in the VM); called only for extensions with a `vm`. */
export interface Backends {
  start(ext: Extension, folder: string): Promise<void>;
  remove(ext: Extension, options: { keepVolumes: boolean }): Promise<void>;
}

export interface InstallContext {
  docker: Docker;
  extensionsDir: string;
  backends: Backends;
  /** Whether Berth may reach out to the network: an extension's label icon is fetched only in normal mode. */
  network: NetworkMode;
  /** Shows what the unpacked extension may do and waits for the user to accept it (the trust decision). */
  askTrust: AskTrust;
  log(line: string): void;
}

export type SendProgress = (progress: InstallProgress) => void;

const STEPS = {
  pull: 'Pull the image',
  check: 'Check labels and metadata',
  extract: 'Unpack the extension',
  trust: 'Accept what it may do',
  backend: 'Start the backend',
} as const;
type Step = keyof typeof STEPS;

export const METADATA_LIMIT = 1024 * 1024;

/** The compose file for a backend given as `vm.image`: one service, as Docker Desktop generates it. */
const imageCompose = (image: string): string => `services:\n  backend:\n    image: ${JSON.stringify(image)}\n`;

const busy = new Set<string>();

/** Runs `work` while no other install, update or removal of the same extension runs. */
export async function exclusively<T>(key: string, work: () => Promise<T>): Promise<T> {
  if (busy.has(key)) {
    throw new BerthError('ExtensionBusy', 'This extension is being installed, updated or removed right now.', 'Wait for that to finish, then try again.');
  }
  busy.add(key);
  try {
    return await work();
  } finally {
    busy.delete(key);
  }
}

async function step<T>(send: SendProgress, name: Step, work: () => Promise<T>): Promise<T> {
  send({ step: name, label: STEPS[name], state: 'running', pull: null });
  const result = await work();
  send({ step: name, label: STEPS[name], state: 'done', pull: null });
  return result;
}

function cancelled(): BerthError {
  return new BerthError('Cancelled', 'The extension install was cancelled; nothing was installed.', 'Install it again when you want it.');
}

function missing(name: string, image: string, what: string): BerthError {
  return new BerthError(name, `${image} has no ${what}.`, 'The extension image is incomplete: ask its publisher for a fixed version.');
}

/**
 * Pulls `image`. A reference the registry cannot give (unreachable, or not there) is still used when the
 * engine already holds it, as an image built or loaded on this computer is.
 */
async function pull(ctx: InstallContext, image: string, signal: AbortSignal, send: SendProgress, auth: TransferAuth | null): Promise<void> {
  const label = STEPS.pull;
  send({ step: 'pull', label, state: 'running', pull: null });
  try {
    await pullImage(ctx.docker, image, signal, (progress) => send({ step: 'pull', label, state: 'running', pull: progress }), auth);
  } catch (error) {
    const unavailable = error instanceof BerthError && ['RegistryUnreachable', 'NoSuchImage'].includes(error.name);
    const local = unavailable && (await ctx.docker.getImage(image).inspect().then(() => true, () => false));
    if (!local) throw error;
    ctx.log(`extensions: using the local image ${image}: ${(error as Error).message}`);
    const progress: TransferProgress = { status: `Using the image on this computer (${(error as Error).message})`, layers: [], fraction: 1, complete: true };
    send({ step: 'pull', label, state: 'running', pull: progress });
  }
  if (signal.aborted) throw cancelled();
  send({ step: 'pull', label, state: 'done', pull: null });
}

async function inspectImage(docker: Docker, image: string): Promise<Docker.ImageInspectInfo> {
  try {
    return await docker.getImage(image).inspect();
  } catch (error) {
    throw new BerthError('NoSuchImage', `The engine has no image ${image}: ${refusal(error).said}`, 'Pull it again; if it keeps failing, the daemon log has the details.');
  }
}

/** metadata.json, read from the image into the staging folder (Docker Desktop keeps it there too). */
async function readMetadata(files: ImageFiles, folder: string, image: string): Promise<Metadata> {
  const path = join(folder, 'metadata.json');
  const kind = await files.copy('/metadata.json', path, SINGLE_FILE_LIMIT);
  if (kind !== 'file') throw missing('ExtensionMetadataMissing', image, 'metadata.json at the root of its filesystem, so it is not a Docker extension');
  if ((await stat(path)).size > METADATA_LIMIT) {
    throw new BerthError('ExtensionMetadataInvalid', `The metadata.json of ${image} is larger than ${METADATA_LIMIT / 1024} KB.`, 'Ask the publisher to fix the image.');
  }
  return parseMetadata(await readFile(path, 'utf8'), image);
}

async function unpackUi(files: ImageFiles, tab: NonNullable<NonNullable<Metadata['ui']>['dashboard-tab']>, folder: string, image: string): Promise<void> {
  const root = inImage(tab.root);
  const kind = await files.copy(root, join(folder, 'ui'));
  if (kind !== 'directory') throw missing('ExtensionUiMissing', image, `UI folder ${root}, which its metadata.json names`);
  const page = await stat(join(folder, 'ui', tab.src)).catch(() => null);
  if (!page?.isFile()) throw missing('ExtensionUiMissing', image, `UI page ${posix.join(root, tab.src)}, which its metadata.json names`);
}

/** vm/compose.yaml: generated for `vm.image`; for `vm.composefile` its folder, so paths relative to it still hold. */
async function unpackVm(files: ImageFiles, vm: NonNullable<Metadata['vm']>, folder: string, image: string): Promise<void> {
  const into = join(folder, 'vm');
  if (vm.image !== undefined) {
    await mkdir(into, { mode: 0o700 });
    await writeFile(join(into, 'compose.yaml'), imageCompose(vm.image), { mode: 0o600 });
    return;
  }
  const compose = inImage(vm.composefile!);
  const parent = posix.dirname(compose);
  const what = `compose file ${compose}, which its metadata.json names`;
  // A compose file at the image's root comes alone: its folder would be the whole image.
  if (parent === '/') {
    await mkdir(into, { mode: 0o700 });
    if ((await files.copy(compose, join(into, 'compose.yaml'), SINGLE_FILE_LIMIT)) !== 'file') throw missing('ExtensionComposeMissing', image, what);
    return;
  }
  if ((await files.copy(parent, into)) !== 'directory') throw missing('ExtensionComposeMissing', image, what);
  const name = posix.basename(compose);
  if (!(await stat(join(into, name)).catch(() => null))?.isFile()) throw missing('ExtensionComposeMissing', image, what);
  if (name !== 'compose.yaml') await rename(join(into, name), join(into, 'compose.yaml'));
}

/** This platform's host binaries, flattened into host/ by base name, runnable by the user alone. */
async function unpackHost(files: ImageFiles, paths: string[], folder: string, image: string): Promise<string[]> {
  const names: string[] = [];
  if (paths.length === 0) return names;
  await mkdir(join(folder, 'host'), { mode: 0o700 });
  for (const path of paths) {
    const name = posix.basename(path);
    if (names.includes(name)) {
      throw new BerthError('ExtensionMetadataInvalid', `The metadata.json of ${image} lists two host binaries named ${name}.`, 'Ask the publisher to fix the image.');
    }
    const target = join(folder, 'host', name);
    if ((await files.copy(path, target)) !== 'file') throw missing('ExtensionBinaryMissing', image, `host binary ${path}, which its metadata.json names`);
    await chmod(target, 0o700);
    names.push(name);
  }
  return names;
}

interface Staged {
  folder: string;
  record: Extension;
}

/**
 * Pulls and checks `image`, and unpacks it into a new staging folder in the layout of an installed
 * extension (without its record). On any failure the staging folder is gone; the container used to read
 * the image is removed in every case.
 */
async function stage(ctx: InstallContext, image: string, signal: AbortSignal, send: SendProgress, auth: TransferAuth | null): Promise<Staged> {
  const id = repositoryOf(image);
  await mkdir(ctx.extensionsDir, { recursive: true, mode: 0o700 });
  await pull(ctx, image, signal, send, auth);
  const folder = await scratchFolder(ctx.extensionsDir, '.staging-');
  let files: ImageFiles | null = null;
  try {
    const { labels, metadata, icon, opened, inspect } = await step(send, 'check', async () => {
      const inspect = await inspectImage(ctx.docker, image);
      const labels = readLabels(inspect.Config?.Labels, image);
      checkPlatform(inspect.Os, inspect.Architecture, image);
      const opened = await ImageFiles.open(ctx.docker, inspect.Id, image);
      files = opened;
      const metadata = await readMetadata(opened, folder, image);
      await writeFile(join(folder, 'labels.json'), `${JSON.stringify(inspect.Config?.Labels ?? {}, null, 2)}\n`, { mode: 0o600 });
      const icon =
        metadata.icon !== undefined
          ? await shippedIcon(opened, metadata.icon, folder, image)
          : await labelIcon(inspect.Config?.Labels?.[ICON_LABEL], folder, image, { network: ctx.network, log: ctx.log, signal });
      return { labels, metadata, icon, opened, inspect };
    });
    if (signal.aborted) throw cancelled();
    const hostBinaries = await step(send, 'extract', async () => {
      const tab = metadata.ui?.['dashboard-tab'];
      if (tab) await unpackUi(opened, tab, folder, image);
      if (metadata.vm) await unpackVm(opened, metadata.vm, folder, image);
      return unpackHost(opened, hostBinaryPaths(metadata), folder, image);
    });
    if (signal.aborted) throw cancelled();
    const tab = metadata.ui?.['dashboard-tab'];
    const record: Extension = {
      key: extensionKey(id),
      id,
      image: image.trim(),
      version: versionOf(image),
      ...labels,
      icon,
      ui: tab ? { title: tab.title, src: tab.src } : null,
      vm: metadata.vm ? { kind: metadata.vm.image !== undefined ? 'image' : 'compose', socket: backendSocket(metadata) } : null,
      hostBinaries,
      installedAt: new Date().toISOString(),
    };
    ctx.log(`extensions: unpacked ${image} (${inspect.Id.slice(7, 19)}) into ${basename(folder)}`);
    return { folder, record };
  } catch (error) {
    await removeFolder(folder);
    throw error;
  } finally {
    await (files as ImageFiles | null)?.close();
  }
}

/** What the extension unpacked in `folder` may do. */
async function permissionsIn(record: Extension, folder: string): Promise<Permission[]> {
  const compose = record.vm ? await readFile(join(folder, 'vm', 'compose.yaml'), 'utf8').catch(() => null) : null;
  return permissionsOf(record, compose);
}

/**
 * The trust decision, before anything is installed: the user accepts what the staged extension may do, or
 * nothing more happens. An update asks only when the new version may do more than `before` (the old one's).
 */
async function confirmTrust(ctx: InstallContext, record: Extension, staged: string, before: Permission[] | null, signal: AbortSignal, send: SendProgress): Promise<void> {
  const permissions = await permissionsIn(record, staged);
  const added = before === null ? permissions : permissions.filter((permission) => !before.some((old) => old.text === permission.text));
  if (!added.length) return;
  const label = STEPS.trust;
  try {
    await ctx.askTrust({ title: record.title, image: record.image, permissions: added }, signal, (question) => send({ step: 'trust', label, state: 'running', pull: null, trust: question }));
  } catch (error) {
    throw signal.aborted ? cancelled() : error;
  }
  send({ step: 'trust', label, state: 'done', pull: null });
}

async function startBackend(ctx: InstallContext, record: Extension, folder: string, send: SendProgress): Promise<void> {
  if (record.vm) await step(send, 'backend', () => ctx.backends.start(record, folder));
}

/** Installs the extension in `image`: pulled, checked, unpacked, its backend started. A failure leaves nothing installed. */
export async function installExtension(ctx: InstallContext, image: string, signal: AbortSignal, send: SendProgress, auth: TransferAuth | null = null): Promise<Extension> {
  const id = repositoryOf(image);
  const key = extensionKey(id);
  return exclusively(key, async () => {
    const folder = extensionFolder(ctx.extensionsDir, key);
    if (existsSync(join(folder, RECORD))) {
      throw new BerthError('ExtensionInstalled', `The extension ${id} is already installed.`, `To install another version, update it: \`berth extension update ${image.trim()}\` or its Update button.`);
    }
    const { folder: staged, record } = await stage(ctx, image, signal, send, auth);
    try {
      await confirmTrust(ctx, record, staged, null, signal, send);
      // A folder without a record is what a crash during an earlier install left.
      await removeFolder(folder);
      await rename(staged, folder);
    } catch (error) {
      await removeFolder(staged);
      throw error;
    }
    try {
      await startBackend(ctx, record, folder, send);
      await writeRecord(folder, record);
    } catch (error) {
      if (record.vm) await ctx.backends.remove(record, { keepVolumes: false }).catch((failure: Error) => ctx.log(`extensions: removing the backend of ${id}: ${failure.message}`));
      await removeFolder(folder);
      throw error;
    }
    ctx.log(`extensions: installed ${record.image} as ${key}`);
    return record;
  });
}

/**
 * Replaces the extension `key` with `image` (by default the reference it was installed from, pulled again).
 * The new version is checked and unpacked before the old one is touched; its backend's named volumes stay.
 */
export async function updateExtension(ctx: InstallContext, key: string, image: string | undefined, signal: AbortSignal, send: SendProgress, auth: TransferAuth | null = null): Promise<Extension> {
  const named = findInstalled(ctx.extensionsDir, key, ctx.log);
  return exclusively(named.key, async () => {
    const old = findInstalled(ctx.extensionsDir, named.key, ctx.log);
    const wanted = image?.trim() || old.image;
    if (extensionKey(repositoryOf(wanted)) !== old.key) {
      throw new BerthError(
        'ExtensionMismatch',
        `${wanted} is not a version of ${old.id}: an update keeps the repository and changes the tag.`,
        `Give a tag of ${old.id} (as in ${old.id}:1.2.3), or install ${repositoryOf(wanted)} as an extension of its own.`,
      );
    }
    const { folder: staged, record } = await stage(ctx, wanted, signal, send, auth);
    const folder = extensionFolder(ctx.extensionsDir, old.key);
    const retired = join(ctx.extensionsDir, `.old-${old.key}-${Date.now()}`);
    try {
      await confirmTrust(ctx, record, staged, await permissionsIn(old, folder), signal, send);
    } catch (error) {
      await removeFolder(staged);
      throw error;
    }
    try {
      if (old.vm) await ctx.backends.remove(old, { keepVolumes: true });
      await rename(folder, retired);
      await rename(staged, folder);
    } catch (error) {
      await removeFolder(staged);
      if (existsSync(retired) && !existsSync(folder)) await rename(retired, folder);
      if (old.vm) await ctx.backends.start(old, folder).catch((failure: Error) => ctx.log(`extensions: restarting the backend of ${old.id}: ${failure.message}`));
      throw error;
    }
    try {
      await startBackend(ctx, record, folder, send);
      await writeRecord(folder, record);
    } catch (error) {
      // Back to the old version, as it was before the update.
      if (record.vm) await ctx.backends.remove(record, { keepVolumes: true }).catch((failure: Error) => ctx.log(`extensions: removing the backend of ${record.image}: ${failure.message}`));
      await removeFolder(folder);
      await rename(retired, folder);
      if (old.vm) await ctx.backends.start(old, folder).catch((failure: Error) => ctx.log(`extensions: restarting the backend of ${old.id}: ${failure.message}`));
      throw error;
    }
    await removeFolder(retired);
    ctx.log(`extensions: updated ${old.image} to ${record.image}`);
    return record;
  });
}
