import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import { pack, type Header } from 'tar-stream';

type EntryHeader = Partial<Header> & { name: string };
import { BerthError } from '../api/errors';
import type { Extension } from '../api/extensions';
import { runInGuest, type GuestCommandOptions } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';
import { composeForGuest, GUEST_SERVICES, guestFolder, KEY_LABEL, VM_SERVICE_LABEL } from './compose';

export { guestFolder };
/** The compose file as the guest runs it, beside the extension's own files so its relative paths hold. */
const GUEST_COMPOSE = '.berth-compose.yaml';
const PROJECT_LABEL = 'com.docker.compose.project';

/** The compose project of an extension's backend. */
export const projectOf = (key: string): string => `berth-ext-${key}`;
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

/** A folder's files as one tar archive, sent as it is read: a backend's folder may hold large files. */
function tarOf(folder: string, extra: Record<string, string>): Readable {
  const archive = pack();
  const add = (header: EntryHeader, body?: Buffer): Promise<void> =>
    new Promise((done, fail) => archive.entry(header, body ?? Buffer.alloc(0), (error) => (error ? fail(error) : done())));
  const addFile = (header: EntryHeader, path: string): Promise<void> =>
    new Promise((done, fail) => {
      const entry = archive.entry(header, (error) => (error ? fail(error) : done()));
      const source = createReadStream(path);
      source.once('error', fail);
      source.pipe(entry);
    });
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
        await addFile({ name: entry, mode: stat.mode & 0o777, size: stat.size }, path);
      }
    }
  };
  void (async () => {
    await walk(folder, '');
    for (const [name, text] of Object.entries(extra)) await add({ name, mode: 0o644 }, Buffer.from(text));
    archive.finalize();
  })().catch((error: Error) => archive.destroy(error));
  return Readable.from(archive);
}

/**
 * Lines of a guest script that give the extension's socket folder to the user its first service runs as (its
 * compose `user`, else its image's USER; a name is looked up in that container's /etc/passwd), mode 0700: a
 * backend that is not root can make its socket there, and no other user can reach it. The containers must exist.
 */
function ownSocketFolder(key: string): string[] {
  const folder = socketFolder(key);
  return [
    `chmod 0711 ${GUEST_SERVICES}`,
    `c=$(docker ps -aq --filter label=${KEY_LABEL}=${key} --filter label=${VM_SERVICE_LABEL}=true | head -n 1)`,
    `u=$(docker inspect -f '{{.Config.User}}' "$c" 2>/dev/null || true); u=\${u%%:*}`,
    'case "$u" in',
    "  ''|root) id=0 ;;",
    `  *[!0-9]*) id=$(docker cp "$c":/etc/passwd - 2>/dev/null | tar -xOf - passwd 2>/dev/null | awk -F: -v n="$u" '$1==n{print $3; exit}') ;;`,
    '  *) id=$u ;;',
    'esac',
    `chown "\${id:-0}" ${folder}`,
    `chmod 0700 ${folder}`,
  ];
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
    const archive = tarOf(source, { [GUEST_COMPOSE]: rewritten });
    const key = extension.key;
    const dir = guestFolder(key);
    const sockets = socketFolder(key);
    // Extracted over what is there: a running container's relative binds keep pointing at the same folder.
    const script = [
      'set -e',
      `mkdir -p -m 0700 ${dir} ${sockets}`,
      `tar -x -f - -C ${dir}`,
      `cd ${dir}`,
      `${compose(extension, true)} up --no-start --remove-orphans --quiet-pull`,
      ...ownSocketFolder(key),
      `${compose(extension, true)} up -d --remove-orphans`,
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
   * Quick when all run: one container listing, and one guest command that gives their socket folders back to them.
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
    // Containers a VM restart brought back by their policy run with socket folders dockerd made anew (root's, 0755).
    const runningNow = withBackend.filter((extension) => running.get(extension.key));
    if (runningNow.length) {
      const script = ['set -e', ...runningNow.flatMap((extension) => ownSocketFolder(extension.key))].join('\n');
      await inGuest(this.link, 'Giving extension backends their socket folders', script, { hint: 'Restart the engine; if it keeps failing, reinstall the extensions.' }).catch((error: Error) =>
        failures.push(error.message),
      );
    }
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
    const script = [
      `[ -f ${dir}/${GUEST_COMPOSE} ] || exit 3`,
      `mkdir -p -m 0700 ${socketFolder(extension.key)}`,
      `cd ${dir}`,
      `${compose(extension, true)} up --no-start --remove-orphans --quiet-pull`,
      ...ownSocketFolder(extension.key),
      `${compose(extension, true)} up -d --remove-orphans`,
    ].join('\n');
    try {
      this.log(`extension ${extension.id}: bringing its backend back`);
      await inGuest(this.link, `Starting ${extension.title}'s backend again (compose project ${projectOf(extension.key)})`, script, { timeoutMs: 10 * 60_000, hint });
    } catch (error) {
      if ((error as { code?: number | null }).code !== 3 || !folderOf) throw error;
      await this.up(extension, folderOf(extension.key));
    }
  }
}
