import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { BerthError } from '../api/errors';
import { isAlive, readPid } from '../pidfile';
import { appRoot, bundledImage, thisHost } from '../resources';
import { guestArch, type GuestArch } from './arch';
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
  /** Absent in images built before there was more than one architecture: those are amd64. */
  arch?: GuestArch;
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

/** The kernel file each architecture's image holds (vm/build.sh). */
const KERNEL_FILE: Record<GuestArch, string> = { amd64: 'vmlinux', arm64: 'Image' };

function imageAt(dir: string, id: string): LocatedImage | null {
  const [initrd, base, manifestFile] = ['initrd.img', 'base.img', 'manifest.json'].map((name) => join(dir, name));
  if (![initrd, base, manifestFile].every((file) => existsSync(file))) return null;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const arch = manifest.arch ?? 'amd64';
  const kernel = join(dir, KERNEL_FILE[arch]);
  if (!existsSync(kernel)) return null;
  return { id, dir, arch, kernel, initrd, base, manifest };
}

/** An image's name in the cache and the packaged app: the recipe's hash, and the architecture but amd64's. */
export const imageId = (arch: GuestArch, hash = recipeHash()): string => (arch === 'amd64' ? hash : `${hash}-${arch}`);

/** BERTH_IMAGE names a built image folder; else the one the installed app carries; else the user's cache. */
export function locateImage(cacheDir: string, env = process.env, arch: GuestArch = guestArch(env)): LocatedImage | null {
  if (env.BERTH_IMAGE) {
    const image = imageAt(env.BERTH_IMAGE, `custom:${env.BERTH_IMAGE}`);
    if (!image) {
      throw new BerthError(
        'ImageIncomplete',
        `BERTH_IMAGE=${env.BERTH_IMAGE} does not hold a kernel, initrd.img, base.img and manifest.json.`,
        'Point BERTH_IMAGE at a folder made by `berth image build`, or unset it.',
      );
    }
    if (image.arch !== arch) {
      throw new BerthError(
        'ImageArch',
        `BERTH_IMAGE=${env.BERTH_IMAGE} holds an ${image.arch} guest, and this start runs an ${arch} one.`,
        `Set BERTH_ARCH=${image.arch} to run it, or point BERTH_IMAGE at an ${arch} image.`,
      );
    }
    return image;
  }
  const bundled = bundledImage(thisHost(), arch);
  if (bundled) return imageAt(bundled.dir, bundled.id) ?? bundledIncomplete(bundled.dir);
  const id = imageId(arch);
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
export async function buildImage(cacheDir: string, logPath: string, progress: (line: string) => void, arch: GuestArch = guestArch()): Promise<LocatedImage> {
  const id = imageId(arch);
  const out = join(cacheDir, id);
  mkdirSync(cacheDir, { recursive: true });
  mkdirSync(dirname(logPath), { recursive: true });
  return withLock(`${out}.lock`, async () => {
    const existing = imageAt(out, id);
    if (existing) return existing;
    const log = createWriteStream(logPath);
    const code = await new Promise<number>((done, fail) => {
      const child = spawn('bash', [join(recipeDir(), 'build.sh'), '--arch', arch, out], { stdio: ['ignore', 'pipe', 'pipe'] });
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
        `Building the ${arch} guest image failed (exit ${code}).`,
        `Read ${logPath}. The build needs root (or mmdebstrap's unshare mode), mmdebstrap, e2fsprogs, busybox-static, kmod and access to Debian's package mirrors; another architecture than the host's also needs its qemu-system.`,
      );
    }
    return built;
  });
}
