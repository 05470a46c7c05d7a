import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BerthError } from '../api/errors';
import { isAlive, readPid } from '../pidfile';
import { appRoot, bundledImage, thisHost } from '../resources';
import { guestArch } from './arch';
import type { GuestImage } from './qemu';

export { appRoot } from '../resources';

export const recipeDir = (): string => join(appRoot(), 'vm');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** Everything in vm/ but its prose: an unchanged recipe has an unchanged hash and is never rebuilt. */
export function recipeHash(dir = recipeDir()): string {
  const hash = createHash('sha256');
  for (const file of listFiles(dir).filter((path) => !path.endsWith('.md')).sort()) {
    hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export interface Manifest {
  kernel: string;
  docker: string;
  containerd: string;
  runc: string;
  [key: string]: unknown;
}

export interface LocatedImage extends GuestImage {
  id: string;
  manifest: Manifest;
}

function imageAt(dir: string, id: string): LocatedImage | null {
  const files = ['vmlinux', 'initrd.img', 'base.img', 'manifest.json'].map((name) => join(dir, name));
  if (!files.every((file) => existsSync(file))) return null;
  return {
    id,
    dir,
    kernel: files[0],
    initrd: files[1],
    base: files[2],
    manifest: JSON.parse(readFileSync(files[3], 'utf8')) as Manifest,
  };
}

/** BERTH_IMAGE names a built image folder; else the one the installed app carries; else the user's cache. */
export function locateImage(cacheDir: string, env = process.env): LocatedImage | null {
  if (env.BERTH_IMAGE) {
    const image = imageAt(env.BERTH_IMAGE, `custom:${env.BERTH_IMAGE}`);
    if (!image) {
      throw new BerthError(
        'ImageIncomplete',
        `BERTH_IMAGE=${env.BERTH_IMAGE} does not hold vmlinux, initrd.img, base.img and manifest.json.`,
        'Point BERTH_IMAGE at a folder made by `berth image build`, or unset it.',
      );
    }
    return image;
  }
  const bundled = bundledImage(thisHost(), guestArch(env));
  if (bundled) return imageAt(bundled.dir, bundled.id) ?? bundledIncomplete(bundled.dir);
  const id = recipeHash();
  return imageAt(join(cacheDir, id), id);
}

function bundledIncomplete(dir: string): never {
  throw new BerthError('ImageIncomplete', `The guest image Berth came with (${dir}) is incomplete.`, 'Install Berth again.');
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Takes a folder lock so that two starts never build the same image at once. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  const owner = join(lockDir, 'pid');
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(owner, `${process.pid}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock whose builder has died is taken over rather than waited on.
      const pid = readPid(owner);
      if (pid === null ? Date.now() - statSync(lockDir).mtimeMs > 10_000 : !isAlive(pid)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      await sleep(1_000);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds the guest image from Debian packages with vm/build.sh, reporting each phase it prints. */
export async function buildImage(cacheDir: string, logPath: string, progress: (line: string) => void): Promise<LocatedImage> {
  const id = recipeHash();
  const out = join(cacheDir, id);
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(dirname(logPath), { recursive: true });
  return withLock(`${out}.lock`, async () => {
    const existing = imageAt(out, id);
    if (existing) return existing;
    const log = createWriteStream(logPath);
    const code = await new Promise<number>((done, fail) => {
      const child = spawn('bash', [join(recipeDir(), 'build.sh'), out], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.on('error', fail);
      child.stdout.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const last = chunk.toString().trim().split('\n').pop();
        if (last) progress(last);
      });
      child.stderr.pipe(log, { end: false });
      child.on('close', (status) => done(status ?? 1));
    });
    log.end();
    const built = imageAt(out, id);
    if (code !== 0 || !built) {
      throw new BerthError(
        'ImageBuildFailed',
        `Building the guest image failed (exit ${code}).`,
        `Read ${logPath}. The build needs root (or mmdebstrap's unshare mode), mmdebstrap, e2fsprogs, busybox-static and access to Debian's package mirrors.`,
      );
    }
    return built;
  });
}
