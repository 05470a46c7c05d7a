import { BerthError } from '../api/errors';
import { dockerHostExport, type EngineStatus } from '../api/engine';
import type { Diagnostics } from '../api/troubleshoot';
import { CONTEXT_NAME } from '../engine/context';
import { homePaths, imageCacheDir } from '../home';
import { dockerHost } from '../platform/endpoints';
import { readPid, waitGone } from '../pidfile';
import { connectDaemon } from '../daemon/connect';
import { guestArch } from '../vm/arch';
import { buildImage, locateImage } from '../vm/image';
import { adoptable, stopLeftoverMachine } from '../vm/leftover';
import { confirm } from './confirm';
import { formatStatus, printError, stepPrinter, suspendedLines } from './output';
import { discardSuspended, suspendFiles } from '../vm/suspended';
import { existsSync } from 'node:fs';

const USAGE = `Usage: berth <command>

Commands:
  start            boot (or reuse) the VM; returns once the Docker API answers
  stop             shut the VM down cleanly (a suspended VM is given up: its containers stop)
  suspend          save the running VM whole and end it; containers are frozen, not stopped, and the next
                   \`berth start\` resumes them (containers that bind a shared folder are stopped and started again)
  restart          stop, then start
  status [--json]  the engine's state, accelerator and Docker host
  image build [--arch amd64|arm64]
                   build the guest image for this version of the recipe (BERTH_ARCH, else this machine's)
  serve            serve the window to a browser on 127.0.0.1; prints its URL (BERTH_PORT picks the port)
  extension        install, list, update and remove Docker Desktop extensions (berth extension help)
  settings         get and set Berth's settings, and what a change takes to apply (berth settings help)
  posture [--json] each container's security findings (root, privileged, host namespaces, ...) and how to avoid them
  diagnose         gather logs, start steps, versions, settings and the guest's view into one .tar.gz; prints its path
  reset --data     purge data: a fresh data disk, every image, container and volume gone (asks first; --yes does not)
  reset --all      reset to factory defaults: settings, data, extensions and saved guests (asks first; --yes does not)
  help             this text

State lives in BERTH_HOME (now: ${homePaths().home}).`;

const paths = homePaths();

// The daemon, the browser server and the extension commands are loaded only by the commands that run them:
// every `berth start` and `berth status` would otherwise load the whole backend (dockerode, ssh2, ...) first.

/** With no daemon, the engine is stopped, or suspended when a saved VM waits. */
async function restingStatus(): Promise<EngineStatus> {
  const { restingStatus } = await import('../daemon/status');
  return restingStatus(paths, process.env);
}

/** Starts (or restarts) the engine, printing each step as it ends, then how to reach it. */
async function bringUp(channel: 'engine.start' | 'engine.restart'): Promise<number> {
  const connection = (await connectDaemon(paths, true))!;
  const print = stepPrinter();
  connection.client.on('engine.changed', print);
  try {
    const status = await connection.client.invoke(channel, {});
    print(status);
    process.stdout.write(`DOCKER_HOST=${dockerHost(paths.dockerSocket)}\n`);
    process.stderr.write(
      `Berth is running (${status.accelerator}, ${((status.startMs ?? 0) / 1000).toFixed(1)} s). ` +
        `Use it with: docker --context ${CONTEXT_NAME} ps   or   ${dockerHostExport(dockerHost(paths.dockerSocket))}\n`,
    );
    return 0;
  } finally {
    connection.close();
  }
}

async function stop(): Promise<number> {
  const connection = await connectDaemon(paths, false);
  if (!connection) {
    const suspended = suspendFiles(paths.home);
    if (existsSync(suspended.state)) {
      discardSuspended(suspended);
      process.stderr.write('Berth stopped: the suspended VM was given up, its containers are stopped.\n');
      return 0;
    }
    const stopped = await stopLeftoverMachine(paths);
    process.stderr.write(stopped ? 'Stopped a VM left behind by an earlier run.\n' : 'Berth is not running.\n');
    return 0;
  }
  const daemonPid = readPid(paths.daemonPid);
  await connection.client.invoke('engine.stop', {});
  connection.close();
  // The daemon exits once the engine is down and nobody else (a window, `berth serve`) is connected.
  if (daemonPid) await waitGone(daemonPid, 5_000);
  process.stderr.write('Berth stopped.\n');
  return 0;
}

async function suspend(): Promise<number> {
  const connection = await connectDaemon(paths, false);
  if (!connection) {
    process.stderr.write(existsSync(suspendFiles(paths.home).state) ? 'Berth is already suspended.\n' : 'Berth is not running.\n');
    return 0;
  }
  try {
    const status = await connection.client.invoke('engine.suspend', {});
    process.stderr.write(`Berth suspended.\n${status.suspended ? `${suspendedLines(status.suspended).join('\n')}\n` : ''}`);
    return 0;
  } finally {
    connection.close();
  }
}

async function status(json: boolean): Promise<number> {
  // A VM left running by a daemon that went away is taken over by a new one, which this starts and waits for.
  const takeOver = adoptable(paths) !== null;
  const connection = await connectDaemon(paths, takeOver);
  let current = connection ? await connection.client.invoke('engine.status', {}) : await restingStatus();
  for (const until = Date.now() + 60_000; connection && takeOver && current.state === 'starting' && Date.now() < until; ) {
    await new Promise((done) => setTimeout(done, 200));
    current = await connection.client.invoke('engine.status', {});
  }
  connection?.close();
  process.stdout.write(`${json ? JSON.stringify(current) : formatStatus(current)}\n`);
  return 0;
}

/** The daemon makes the bundle (it reaches the guest); with none running, this process makes it without the guest's view. */
async function diagnose(): Promise<number> {
  const connection = await connectDaemon(paths, false);
  let made: Diagnostics;
  if (connection) {
    try {
      made = await connection.client.invoke('troubleshoot.diagnose', {});
    } finally {
      connection.close();
    }
  } else {
    const { makeDiagnostics } = await import('../troubleshoot/diagnose');
    made = await makeDiagnostics({ paths, env: process.env, status: await restingStatus(), guest: null });
  }
  process.stdout.write(`${made.path}\n`);
  process.stderr.write(`Diagnostics gathered (${made.files.length} files, passwords and tokens left out): attach ${made.path} to your report.\n`);
  return 0;
}

const RESETS = {
  data: 'Purge data: every image, container and volume is removed, for a fresh data disk. Settings, extensions and registry logins stay.',
  all: 'Reset to factory defaults: the settings, the data (every image, container and volume), the extensions, the SSH keys and the saved guests are removed; the next start is a first start. Registry logins stay.',
} as const;

async function reset(args: string[]): Promise<number> {
  const asked = (['data', 'all'] as const).filter((what) => args.includes(`--${what}`));
  const unknown = args.filter((arg) => !['--data', '--all', '--yes'].includes(arg));
  if (asked.length !== 1 || unknown.length) {
    throw new BerthError('UnknownCommand', `berth reset takes --data or --all${unknown.length ? `, not ${unknown.join(' ')}` : ''}.`, 'Run `berth help` for what each removes.');
  }
  const what = asked[0];
  process.stderr.write(`${RESETS[what]}\n`);
  if (!args.includes('--yes') && !(await confirm('Go on?'))) {
    throw new BerthError('ResetDeclined', 'Nothing was removed.', process.stdin.isTTY ? 'Answer yes to go on.' : 'Run it again with --yes to go on without being asked.');
  }
  const connection = (await connectDaemon(paths, true))!;
  try {
    const done = await connection.client.invoke('troubleshoot.reset', { what });
    process.stderr.write(`Removed: ${done.removed.join(', ') || 'nothing (there was nothing to remove)'}.\n`);
    if (done.restarted) process.stderr.write('The engine runs again, on a fresh data disk.\n');
    return 0;
  } finally {
    connection.close();
  }
}

async function image([sub, ...options]: string[]): Promise<number> {
  if (sub !== 'build') throw new BerthError('UnknownCommand', `Unknown image command "${sub ?? ''}".`, 'Use `berth image build [--arch amd64|arm64]`.');
  if (options.length && (options[0] !== '--arch' || options.length !== 2)) {
    throw new BerthError('UnknownOption', `\`berth image build\` takes --arch and one architecture, not "${options.join(' ')}".`, 'Use `berth image build [--arch amd64|arm64]`.');
  }
  const env = options.length ? { ...process.env, BERTH_ARCH: options[1] } : process.env;
  const arch = guestArch(env);
  const cache = imageCacheDir();
  const found = env.BERTH_IMAGE ? null : locateImage(cache, env, arch);
  const built = found ?? (await buildImage(cache, paths.imageBuildLog, (line) => process.stderr.write(`${line}\n`), arch));
  process.stdout.write(`${built.dir}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return bringUp('engine.start');
    case 'stop':
      return stop();
    case 'restart':
      return bringUp('engine.restart');
    case 'suspend':
      return suspend();
    case 'status':
      return status(rest.includes('--json'));
    case 'image':
      return image(rest);
    case 'serve':
      return (await import('../server')).serve(paths, process.env);
    case 'extension':
      return (await import('./extension')).extensionCommand(paths, rest);
    case 'diagnose':
      return diagnose();
    case 'reset':
      return reset(rest);
    case 'settings':
      return (await import('./settings')).settingsCommand(paths, rest);
    case 'posture':
      return (await import('./posture')).postureCommand(paths, rest);
    case 'daemon':
      await (await import('../daemon/main')).runDaemon(paths, process.env);
      return -1;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new BerthError('UnknownCommand', `Unknown command "${command}".`, 'Run `berth help` for the list of commands.');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    printError(error);
    process.exit(error instanceof BerthError && error.name === 'UnknownCommand' ? 2 : 1);
  },
);
