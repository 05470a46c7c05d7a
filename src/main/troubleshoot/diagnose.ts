// Diagnostics: one .tar.gz with what a bug report needs (logs, the start steps and their times, versions,
// settings, the guest's view), every file passed through `redact` so that no secret leaves in it.
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, createWriteStream } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { EngineStatus } from '../api/engine';
import type { Diagnostics } from '../api/troubleshoot';
import type { HomePaths } from '../home';
import { runInGuest } from '../tunnel/guestCommand';
import type { SshLink } from '../tunnel/link';
import { findQemu } from '../vm/qemu';
import { redact } from './redact';

/** What a log contributes at most: its end, where the last start and the fault are. */
const LOG_TAIL_BYTES = 4 * 2 ** 20;

/** The guest's view, as its own commands give it (busybox's, where the guest has no other). */
const GUEST_VIEW: Array<[string, string]> = [
  ['guest/dmesg.txt', 'dmesg'],
  ['guest/dockerd.log', 'tail -n 5000 /run/berth/dockerd.log'],
  ['guest/df.txt', 'df -h'],
  ['guest/memory.txt', 'cat /proc/meminfo'],
  ['guest/processes.txt', 'ps -o pid,ppid,user,rss,args'],
  ['guest/mounts.txt', 'cat /proc/mounts'],
  ['guest/uptime.txt', 'uptime; date -u'],
];

export interface DiagnosticsInput {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  status: EngineStatus;
  /** The running guest's SSH link; none while the engine is not running (the bundle says so). */
  guest: SshLink | null;
}

/** The last `LOG_TAIL_BYTES` of a file, or null when there is none. */
function tail(path: string): string | null {
  if (!existsSync(path)) return null;
  const size = statSync(path).size;
  const length = Math.min(size, LOG_TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return `${size > length ? `[the first ${size - length} bytes are left out]\n` : ''}${buffer.toString('utf8')}`;
}

async function qemuVersion(env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(findQemu(env), ['--version'], { timeout: 10_000 });
    return stdout.split('\n')[0];
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

async function guestView(link: SshLink | null): Promise<Array<[string, string]>> {
  if (!link) return [['guest/not-running.txt', 'The engine was not running: there is no guest to look at.\n']];
  const view: Array<[string, string]> = [];
  for (const [name, command] of GUEST_VIEW) {
    const said = await runInGuest(link, `${command} 2>&1`, { hint: '', timeoutMs: 15_000 }).catch((error: Error) => `could not run \`${command}\`: ${error.message}\n`);
    view.push([name, said]);
  }
  return view;
}

const stamp = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** Makes the bundle in `$BERTH_HOME/diagnostics/` (readable by the user only) and says where it is. */
export async function makeDiagnostics({ paths, env, status, guest }: DiagnosticsInput): Promise<Diagnostics> {
  const files: Array<[string, string]> = [
    ['status.json', `${JSON.stringify(status, null, 2)}\n`],
    [
      'versions.txt',
      [`node: ${process.versions.node}`, `host: ${process.platform} ${process.arch} ${release()}`, `qemu: ${await qemuVersion(env)}`, ...Object.entries(status.versions).map(([name, version]) => `${name}: ${version}`)].join('\n') + '\n',
    ],
    ['settings.json', tail(paths.settings) ?? 'No settings file: every setting has its default.\n'],
  ];
  for (const [name, path] of [
    ['logs/daemon.log', paths.daemonLog],
    ['logs/console.log', paths.consoleLog],
    ['logs/console.previous.log', `${paths.consoleLog}.1`],
    ['logs/image-build.log', paths.imageBuildLog],
  ] as const) {
    const text = tail(path);
    if (text !== null) files.push([name, text]);
  }
  files.push(...(await guestView(guest)));

  const dir = join(paths.home, 'diagnostics');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `berth-diagnostics-${stamp(new Date())}.tar.gz`);
  const archive = pack();
  const mtime = new Date();
  for (const [name, text] of files) archive.entry({ name, mode: 0o600, mtime }, redact(text));
  archive.finalize();
  await pipeline(archive, createGzip(), createWriteStream(path, { mode: 0o600 }));
  return { path, files: files.map(([name]) => name) };
}
