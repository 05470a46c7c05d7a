import { confirm } from './confirm';
import { BerthError } from '../api/errors';
import type { Extension, InstallProgress, TrustQuestion } from '../api/extensions';
import { connectDaemon, type DaemonConnection } from '../daemon/connect';
import { listInstalled, pickExtension } from '../extensions/installed';
import { parseImage, repositoryOf } from '../extensions/key';
import type { HomePaths } from '../home';

export const EXTENSION_USAGE = `Usage: berth extension <command>

Commands:
  install IMAGE      pull a Docker Desktop extension, check it, show what it may do and install it once accepted
  ls                 the installed extensions
  rm ID              remove an extension with its backend and volumes (also: uninstall)
  update IMAGE|ID    install another tag of an installed extension (by default its own tag, pulled again)

Options:
  --yes, -y          accept what the extension may do without being asked (install, update)`;

function notRunning(): BerthError {
  return new BerthError('EngineNotRunning', 'The engine is not running.', 'Start it with `berth start`, then try again.');
}

async function connect(paths: HomePaths): Promise<DaemonConnection> {
  const connection = await connectDaemon(paths, false);
  if (!connection) throw notRunning();
  return connection;
}

/** One line per step as it ends, with the time it took. */
function progressPrinter(): (progress: InstallProgress) => void {
  const began = new Map<string, number>();
  return (progress) => {
    if (!began.has(progress.step)) began.set(progress.step, Date.now());
    if (progress.state !== 'done') return;
    const ms = Date.now() - began.get(progress.step)!;
    process.stderr.write(`  ok  ${progress.label.padEnd(28)} ${`${ms} ms`.padStart(9)}\n`);
  };
}

/**
 * The trust decision on the command line: what the extension may do is printed, then accepted by --yes or by
 * the user at a terminal. Without either nothing is installed, and the error says how to accept.
 */
async function answerTrust(connection: DaemonConnection, question: TrustQuestion, yes: boolean, unanswered: (error: BerthError) => void): Promise<void> {
  process.stderr.write(`${question.title} (${question.image}) may do this once installed:\n${question.permissions.map((permission) => `  - ${permission.text}\n`).join('')}`);
  const asked = !yes && Boolean(process.stdin.isTTY);
  const accept = yes || (await confirm('Accept, and go on?'));
  // Known before the daemon's own refusal can end the stream.
  if (!accept && !asked) {
    unanswered(new BerthError('ExtensionDeclined', `${question.title} was not installed: nobody accepted what it may do.`, 'Run the command again with --yes to accept it, or in a terminal to be asked.'));
  }
  await connection.client.invoke('extensions.answerTrust', { id: question.id, accept });
}

/** Follows an install or update stream to its end; Ctrl-C cancels it (the daemon then removes what it unpacked). */
function follow(connection: DaemonConnection, yes: boolean, open: (listener: { chunk(progress: InstallProgress): void; end(error: BerthError | null): void }) => { cancel(): void }): Promise<void> {
  const print = progressPrinter();
  let declined: BerthError | null = null;
  return new Promise((resolve, reject) => {
    const handle = open({
      chunk: (progress) => {
        print(progress);
        if (progress.trust && progress.state === 'running') {
          answerTrust(connection, progress.trust, yes, (error) => (declined = error)).catch(reject);
        }
      },
      end: (error) => {
        process.off('SIGINT', interrupt);
        if (error) reject(declined ?? error);
        else resolve();
      },
    });
    function interrupt(): void {
      handle.cancel();
      process.off('SIGINT', interrupt);
      reject(new BerthError('Cancelled', 'Cancelled; nothing was installed.', 'Run the command again when you want it.'));
    }
    process.on('SIGINT', interrupt);
    void connection.closed.then(() => reject(new BerthError('DaemonGone', 'The Berth daemon went away.', 'Run `berth start`, then try again.')));
  });
}

async function installed(connection: DaemonConnection): Promise<Extension[]> {
  return (await connection.client.invoke('extensions.list', {})).extensions;
}

async function install(paths: HomePaths, image: string | undefined, yes: boolean): Promise<number> {
  if (!image) throw new BerthError('UsageError', 'Which image?', 'Use `berth extension install IMAGE`, as in docker/disk-usage-extension:0.2.8.');
  parseImage(image);
  const connection = await connect(paths);
  try {
    await follow(connection, yes, (listener) => connection.client.stream('extensions.install', { image }, listener));
    const extension = pickExtension(await installed(connection), repositoryOf(image));
    process.stdout.write(`Installed ${extension.title} ${extension.version} (${extension.id}).\n`);
    return 0;
  } finally {
    connection.close();
  }
}

async function update(paths: HomePaths, target: string | undefined, yes: boolean): Promise<number> {
  if (!target) throw new BerthError('UsageError', 'Which extension?', 'Use `berth extension update IMAGE:TAG` or `berth extension update ID`.');
  const connection = await connect(paths);
  try {
    const extension = pickExtension(await installed(connection), target);
    // A reference with a tag or digest names the version to install; an id or a key means the same reference again.
    let image: string | undefined;
    if (target !== extension.key) {
      const reference = parseImage(target);
      if (reference.tag !== null || reference.digest !== null) image = target;
    }
    await follow(connection, yes, (listener) => connection.client.stream('extensions.update', { key: extension.key, ...(image && { image }) }, listener));
    const updated = pickExtension(await installed(connection), extension.key);
    process.stdout.write(`Updated ${updated.title} to ${updated.version} (${updated.id}).\n`);
    return 0;
  } finally {
    connection.close();
  }
}

async function remove(paths: HomePaths, target: string | undefined): Promise<number> {
  if (!target) throw new BerthError('UsageError', 'Which extension?', 'Use `berth extension rm ID`; `berth extension ls` lists them.');
  const connection = await connect(paths);
  try {
    const extension = pickExtension(await installed(connection), target);
    await connection.client.invoke('extensions.remove', { key: extension.key });
    process.stdout.write(`Removed ${extension.id}.\n`);
    return 0;
  } finally {
    connection.close();
  }
}

/** The table `docker extension ls` prints, with the same columns. */
export function formatList(extensions: Extension[]): string {
  const rows = [
    ['ID', 'PROVIDER', 'VERSION', 'UI', 'VM', 'HOST'],
    ...extensions.map((extension) => [
      extension.id,
      extension.vendor,
      extension.version,
      extension.ui ? `1 tab(${extension.ui.title})` : '-',
      extension.vm ? (extension.vm.kind === 'image' ? 'image' : 'compose') : '-',
      extension.hostBinaries.length ? extension.hostBinaries.join(',') : '-',
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] + 3))).join('').trimEnd()).join('\n');
}

/** Lists from the daemon when it runs, else from the folder itself: the list needs no engine. */
async function list(paths: HomePaths): Promise<number> {
  const connection = await connectDaemon(paths, false);
  try {
    const extensions = connection ? await installed(connection) : listInstalled(paths.extensionsDir);
    process.stdout.write(`${formatList(extensions)}\n`);
    return 0;
  } finally {
    connection?.close();
  }
}

export async function extensionCommand(paths: HomePaths, given: string[]): Promise<number> {
  const yes = given.some((arg) => arg === '--yes' || arg === '-y');
  const [command, target, ...extra] = given.filter((arg) => arg !== '--yes' && arg !== '-y');
  if (extra.length) throw new BerthError('UsageError', `Unexpected arguments: ${extra.join(' ')}.`, 'Give one image or extension at a time.');
  switch (command) {
    case 'install':
      return install(paths, target, yes);
    case 'ls':
    case 'list':
      return list(paths);
    case 'rm':
    case 'remove':
    case 'uninstall':
      return remove(paths, target);
    case 'update':
      return update(paths, target, yes);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${EXTENSION_USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new BerthError('UnknownCommand', `Unknown extension command "${command}".`, 'Run `berth extension help` for the list.');
  }
}
