import { fileURLToPath } from 'node:url';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FOREIGN_ARCHES, foreignBusyboxDeb } from '../../scripts/test-images.mjs';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(repoRoot, 'bin', 'berth.mjs');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer' }, (error, stdout, stderr) =>
      resolvePromise({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        stdout: stdout.toString(),
        stderr: stderr.toString(),
      }),
    );
    if (input) child.stdin?.end(input);
  });
}

/**
 * The one host folder test VMs share (BERTH_SHARES), so no test ever shares the real home folder. Its
 * path is the same on every run: the share list shapes the VM, and so the snapshot a start restores.
 */
export function testShares(): string {
  const folder = join(tmpdir(), 'berth-e2e-shares');
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** An isolated Berth installation for one test file: its own BERTH_HOME, DOCKER_CONFIG and shared folder. */
export interface Instance {
  home: string;
  env: NodeJS.ProcessEnv;
  socket: string;
}

export function newInstance(extraEnv: NodeJS.ProcessEnv = {}): Instance {
  // Short paths: a Unix socket path must stay under 108 bytes.
  return instanceAt(mkdtempSync(join(tmpdir(), 'bt-')), extraEnv);
}

/** A host-only installation whose home is `home`, made if missing and kept if it exists. */
export function instanceAt(home: string, extraEnv: NodeJS.ProcessEnv = {}): Instance {
  const dockerConfig = join(home, 'docker-config');
  mkdirSync(dockerConfig, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BERTH_HOME: home,
    BERTH_NETWORK: 'host-only',
    BERTH_SHARES: testShares(),
    DOCKER_CONFIG: dockerConfig,
    DOCKER_HOST: undefined,
    DOCKER_CONTEXT: undefined,
    ...extraEnv,
  };
  return { home, env, socket: join(home, 'run', 'docker.sock') };
}

export const berth = (instance: Instance, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
  run(process.execPath, [cli, ...args], { ...instance.env, ...extraEnv });

/** Starts `berth start` without waiting for it, for tests that act while the engine starts. */
export function berthInBackground(instance: Instance, args: string[]): { done: Promise<Run> } {
  const child = spawn(process.execPath, [cli, ...args], { env: instance.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { done: new Promise((r) => child.on('close', (code) => r({ code: code ?? 1, stdout, stderr }))) };
}

/** The real docker CLI against an instance; `viaContext` uses the `berth` context instead of DOCKER_HOST. */
export function docker(instance: Instance, args: string[], options: { viaContext?: boolean; input?: Buffer; timeoutMs?: number } = {}): Promise<Run> {
  const target = options.viaContext ? ['--context', 'berth'] : ['--host', `unix://${instance.socket}`];
  return run('docker', [...target, ...args], instance.env, options.input, options.timeoutMs);
}

export async function status(instance: Instance): Promise<Record<string, unknown>> {
  const result = await berth(instance, ['status', '--json']);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** A busybox image made offline: the static busybox binary and its applet links, as a tarball. */
export function busyboxRootfs(busybox = '/bin/busybox'): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-busybox-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'tmp'));
  execFileSync('cp', [busybox, join(dir, 'bin', 'busybox')]);
  for (const applet of ['sh', 'echo', 'cat', 'ls', 'sleep', 'true', 'wget', 'nc', 'dd', 'df', 'kill', 'killall', 'ps', 'tr', 'nsenter', 'httpd', 'sync', 'head', 'id', 'env', 'uname', 'date', 'nproc']) {
    symlinkSync('busybox', join(dir, 'bin', applet));
  }
  return dir;
}

/**
 * Imports busybox as `tag`: another architecture's busybox binary with `platform`, and `files` (path in the
 * image -> host file) copied in beside it.
 */
export function importBusybox(instance: Instance, tag: string, options: { busybox?: string; platform?: string; files?: Record<string, string> } = {}): Promise<Run> {
  const dir = busyboxRootfs(options.busybox);
  for (const [inImage, from] of Object.entries(options.files ?? {})) {
    mkdirSync(join(dir, dirname(inImage)), { recursive: true });
    copyFileSync(from, join(dir, inImage));
  }
  const platform = options.platform ? `--platform '${options.platform}'` : '';
  return run('sh', ['-c', `tar -C '${dir}' -c . | docker --host 'unix://${instance.socket}' import ${platform} - '${tag}'`], instance.env);
}

/**
 * The same image for another architecture (arm64: linux/arm64, armhf: linux/arm/v7), from Debian's
 * busybox-static for it, which `node scripts/test-images.mjs` (run by `npm test`) keeps in the cache.
 */
export function importForeignBusybox(instance: Instance, arch: keyof typeof FOREIGN_ARCHES, tag: string): Promise<Run> {
  const deb = foreignBusyboxDeb(arch);
  if (!existsSync(deb)) throw new Error(`${deb} is missing: run \`node scripts/test-images.mjs\` (npm test does) to download it`);
  const unpacked = mkdtempSync(join(tmpdir(), 'bt-deb-'));
  execFileSync('dpkg-deb', ['-x', deb, unpacked]);
  return importBusybox(instance, tag, { busybox: join(unpacked, 'usr', 'bin', 'busybox'), platform: FOREIGN_ARCHES[arch] }).finally(() =>
    rmSync(unpacked, { recursive: true, force: true }),
  );
}

/** Every process whose command line or environment names this instance's home. */
export function processesOf(instance: Instance): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(instance.home) || environ.includes(`BERTH_HOME=${instance.home}\0`)) {
        found.push(`${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, 120)}`);
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Every process whose command line holds `text`, read from /proc (no procps needed). */
export function processesWith(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) found.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Leaves a socket file nobody listens on, as a crashed process would. */
export function leaveStaleSocket(path: string): void {
  const crash = spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  if (crash.signal !== 'SIGKILL') throw new Error(`the crashing listener did not crash: ${crash.stderr}`);
}

export function writeSettings(instance: Instance, settings: unknown): void {
  writeFileSync(join(instance.home, 'settings.json'), JSON.stringify(settings));
}

/** The pid in one of an instance's run/ pid files (daemon.pid, qemu.pid). */
export function runPid(instance: Instance, file: 'daemon.pid' | 'qemu.pid'): number {
  return Number(readFileSync(join(instance.home, 'run', file), 'utf8').trim());
}

/**
 * How far the guest's clock lies outside the host's times around reading it, in seconds; 0 within them.
 * `read` gives what `date +%s` prints in the guest.
 */
export async function clockOff(read: () => Promise<string>): Promise<number> {
  const before = Date.now() / 1000;
  const said = await read();
  const after = Date.now() / 1000;
  const guest = Number(said.trim());
  // `date +%s` drops the fraction: the guest's second may begin up to 1 s before the host's `before`.
  return guest < Math.floor(before) ? before - guest - 1 : guest > after ? guest - after : 0;
}

/** The guest's clock as a container reads it (time is not namespaced), as a user could. */
export const guestClockOff = (instance: Instance): Promise<number> =>
  clockOff(async () => (await docker(instance, ['run', '--rm', 'busybox:offline', 'date', '+%s'])).stdout);
