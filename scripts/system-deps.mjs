// What Berth needs from the operating system, and how a fresh Debian machine gets it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** command on PATH (or file) -> Debian package that provides it */
export const RUNTIME = { 'qemu-system-x86_64': 'qemu-system-x86' };
export const IMAGE_BUILD = { mmdebstrap: 'mmdebstrap', 'mkfs.ext4': 'e2fsprogs', '/bin/busybox': 'busybox-static', cpio: 'cpio', zstd: 'zstd', '/usr/sbin/depmod': 'kmod' };
/** The arm64 guest on an x86_64 host: its image is finished in an emulated arm64 guest, and runs in one. */
export const ARM64_GUEST = { 'qemu-system-aarch64': 'qemu-system-arm', ar: 'binutils' };
export const TESTS = { docker: 'docker.io', '/usr/bin/chromium': 'chromium', '/usr/bin/docker-registry': 'docker-registry', '/usr/bin/htpasswd': 'apache2-utils', openssl: 'openssl', pass: 'pass', 'docker-credential-pass': 'golang-docker-credential-helpers', gpg: 'gnupg' };

export function missing(table) {
  return [...new Set(Object.entries(table).filter(([need]) => !(need.startsWith('/') ? existsSync(need) : has(need))).map(([, pkg]) => pkg))];
}

/** Installs what is missing with apt-get where it can; otherwise says exactly what to install. */
export function ensurePackages(...tables) {
  const packages = [...new Set(tables.flatMap(missing))];
  if (packages.length === 0) return;
  const canApt = process.platform === 'linux' && has('apt-get') && process.getuid?.() === 0;
  if (!canApt) {
    console.error(`Berth needs these packages: ${packages.join(' ')}. Install them (for example: sudo apt-get install ${packages.join(' ')}) and run this again.`);
    process.exit(1);
  }
  console.error(`Installing ${packages.join(' ')} with apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
}

/** npm install when node_modules is missing or older than the lock file. */
export function ensureNodeModules(root) {
  const stamp = `${root}/node_modules/.package-lock.json`;
  const lock = `${root}/package-lock.json`;
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('Installing npm packages...');
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
}
