import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import { runInGuest, type GuestCommandOptions } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';
import { composeForGuest, GUEST_SERVICES, KEY_LABEL } from './compose';

/** Where the guest keeps each backend's compose folder: on the data disk, so relative binds outlive a VM restart. */
export const GUEST_EXTENSIONS = '/mnt/data/extensions';
/** The compose file as the guest runs it, beside the extension's own files so its relative paths hold. */
const GUEST_COMPOSE = '.berth-compose.yaml';
const PROJECT_LABEL = 'com.docker.compose.project';

/** The compose project of an extension's backend. */
export const projectOf = (key: string): string => `berth-ext-${key}`;
export const guestFolder = (key: string): string => `${GUEST_EXTENSIONS}/${key}`;
/** The guest folder mounted at /run/guest-services in the extension's containers, and only in its own. */
export const socketFolder = (key: string): string => `${GUEST_SERVICES}/${key}`;

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** Compose reads ${DESKTOP_PLUGIN_IMAGE} from its environment: the extension's own image. */
const compose = (extension: Extension, file: boolean): string =>
  `DESKTOP_PLUGIN_IMAGE=${quote(extension.image)} docker compose -p ${projectOf(extension.key)}${file ? ` -f ${guestFolder(extension.key)}/${GUEST_COMPOSE}` : ''}`;

/**
 * Runs a script in the guest; a failure names `what` failed and what the script said last, not the script
 * itself. A non-zero exit keeps its code in `code` for callers that give one a meaning.
 */
async function inGuest(link: SshLink, what: string, script: string, options: GuestCommandOptions): Promise<string> {
  try {
    return await runInGuest(link, script, options);
  } catch (error) {
    if (!(error instanceof BerthError)) throw error;
    const told = error.message.startsWith(`\`${script}\``) ? error.message.slice(script.length + 2).trim() : error.message;
    const failed = new BerthError(error.name, `${what} failed: ${told}`, error.hint);
    const code = / exited with (\d+) in the VM/.exec(` ${told}`);
    throw Object.assign(failed, { code: code ? Number(code[1]) : null });
  }
}

/** A folder's files as one tar archive, in memory: a backend's compose folder is small. */
async function tarOf(folder: string, extra: Record<string, string>): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((done, fail) => {
    archive.on('end', done);
    archive.on('error', fail);
  });
  const add = (header: Parameters<typeof archive.entry>[0], body?: Buffer): Promise<void> =>
    new Promise((done, fail) => archive.entry(header, body ?? Buffer.alloc(0), (error) => (error ? fail(error) : done())));
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const entry = prefix + name;
      const stat = await lstat(path);
      if (stat.isDirectory()) {
        await add({ name: `${entry}/`, type: 'directory', mode: 0o755 });
        await walk(path, `${entry}/`);
      } else if (stat.isSymbolicLink()) {
        await add({ name: entry, type: 'symlink', linkname: await readlink(path) });
      } else if (stat.isFile()) {
        await add({ name: entry, mode: stat.mode & 0o777 }, await readFile(path));
      }
    }
  };
  await walk(folder, '');
  for (const [name, text] of Object.entries(extra)) await add({ name, mode: 0o644 }, Buffer.from(text));
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** One change at a time per extension: an engine start bringing backends back must not cross an install. */
const queues = new Map<string, Promise<unknown>>();
function serially<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = queues.get(key) ?? Promise.resolve();
  const next = before.catch(() => undefined).then(work);
  queues.set(key, next);
  const forget = (): void => {
    if (queues.get(key) === next) queues.delete(key);
  };
  next.then(forget, forget);
  return next;
}

/**
 * Extension backends as compose projects in the VM: the extension's vm/ folder is copied into the guest,
 * its compose file rewritten (the extension's own socket folder, labels, a restart policy) and brought up
 * with the guest's `docker compose`.
 */
export class GuestBackends {
  constructor(
    private readonly link: SshLink,
    private readonly docker: Docker,
    private readonly log: (line: string) => void,
  ) {}

  /** Copies the extension's vm/ folder (under `folder`, its installed or staging folder) into the guest and brings the project up. */
  start(extension: Extension, folder: string): Promise<void> {
    if (!extension.vm) return Promise.resolve();
    return serially(extension.key, () => this.up(extension, folder));
  }

  private async up(extension: Extension, folder: string): Promise<void> {
    const source = join(folder, 'vm');
    const file = join(source, 'compose.yaml');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new BerthError('BackendMissing', `${extension.title}'s backend has no compose file at ${file}.`, `Reinstall ${extension.title}.`);
    }
    const rewritten = composeForGuest(text, extension, file);
    const archive = await tarOf(source, { [GUEST_COMPOSE]: rewritten });
    const key = extension.key;
    const dir = guestFolder(key);
    const sockets = socketFolder(key);
    // Extracted over what is there: a running container's relative binds keep pointing at the same folder.
    const script = [
      'set -e',
      `mkdir -p ${dir} ${sockets}`,
      // Any user a backend runs as may make its socket; only this extension's containers see the folder.
      `chmod 0777 ${sockets}`,
      `tar -x -f - -C ${dir}`,
      `cd ${dir}`,
      `${compose(extension, true)} up -d --remove-orphans --quiet-pull`,
    ].join('\n');
    this.log(`extension ${extension.id}: starting its backend (${projectOf(key)})`);
    await inGuest(this.link, `Starting ${extension.title}'s backend (compose project ${projectOf(key)})`, script, {
      input: archive,
      timeoutMs: 10 * 60_000,
      hint: `Read ${file} (the backend's compose file), and the backend's containers' logs: docker --context berth compose -p ${projectOf(key)} logs.`,
    });
  }

  /** Stops and removes the backend's containers, its named volumes unless `keepVolumes` (an update keeps them), and its guest folders. */
  remove(extension: Extension, options: { keepVolumes: boolean }): Promise<void> {
    if (!extension.vm) return Promise.resolve();
    return serially(extension.key, () => this.down(extension, options.keepVolumes));
  }

  private async down(extension: Extension, keepVolumes: boolean): Promise<void> {
    const key = extension.key;
    const dir = guestFolder(key);
    const volumes = keepVolumes ? '' : ' -v';
    // Without its compose file (a data disk made anew, say) compose still finds the project by its label.
    const script = [
      'set -e',
      `if [ -f ${dir}/${GUEST_COMPOSE} ]; then`,
      `  cd ${dir}`,
      `  ${compose(extension, true)} down --remove-orphans${volumes}`,
      'else',
      `  ${compose(extension, false)} down --remove-orphans${volumes}`,
      keepVolumes ? '  :' : `  docker volume ls -q --filter label=${PROJECT_LABEL}=${projectOf(key)} | xargs -r docker volume rm`,
      'fi',
      `rm -rf ${dir} ${socketFolder(key)}`,
    ].join('\n');
    this.log(`extension ${extension.id}: removing its backend${keepVolumes ? ', keeping its volumes' : ''}`);
    await inGuest(this.link, `Removing ${extension.title}'s backend (compose project ${projectOf(key)})`, script, {
      timeoutMs: 3 * 60_000,
      hint: `Remove the project by hand: docker --context berth compose -p ${projectOf(key)} down, then try again.`,
    });
  }

  /**
   * Brings back the backends of `installed` whose containers are not all running (after a VM restart, say),
   * from the compose folder the guest kept, or, when the guest has none, from `folderOf(key)` on this computer.
   * Quick when all run: one container listing.
   */
  async ensure(installed: Extension[], folderOf?: (key: string) => string): Promise<void> {
    const withBackend = installed.filter((extension) => extension.vm);
    if (!withBackend.length) return;
    const containers = await this.docker.listContainers({ all: true, filters: { label: [KEY_LABEL] } });
    const running = new Map<string, boolean>();
    for (const container of containers) {
      const key = container.Labels[KEY_LABEL];
      running.set(key, (running.get(key) ?? true) && container.State === 'running');
    }
    const failures: string[] = [];
    for (const extension of withBackend) {
      if (running.get(extension.key)) continue;
      try {
        await serially(extension.key, () => this.upAgain(extension, folderOf));
      } catch (error) {
        failures.push(`${extension.title}: ${(error as Error).message}`);
      }
    }
    if (failures.length) {
      throw new BerthError('BackendsNotStarted', `Some extension backends did not start. ${failures.join(' ')}`, 'Reinstall those extensions, or read their containers\' logs.');
    }
  }

  private async upAgain(extension: Extension, folderOf?: (key: string) => string): Promise<void> {
    const dir = guestFolder(extension.key);
    const hint = `Read the backend's containers' logs: docker --context berth compose -p ${projectOf(extension.key)} logs.`;
    // Exit 3: the guest has no compose folder for it.
    const script = `[ -f ${dir}/${GUEST_COMPOSE} ] || exit 3\nmkdir -p ${socketFolder(extension.key)}\nchmod 0777 ${socketFolder(extension.key)}\ncd ${dir}\n${compose(extension, true)} up -d --remove-orphans --quiet-pull`;
    try {
      this.log(`extension ${extension.id}: bringing its backend back`);
      await inGuest(this.link, `Starting ${extension.title}'s backend again (compose project ${projectOf(extension.key)})`, script, { timeoutMs: 10 * 60_000, hint });
    } catch (error) {
      if ((error as { code?: number | null }).code !== 3 || !folderOf) throw error;
      await this.up(extension, folderOf(extension.key));
    }
  }
}
