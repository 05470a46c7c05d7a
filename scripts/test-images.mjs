// Debian's busybox-static for other architectures, which the engine tests turn into arm64 and arm/v7 images
// offline (`docker import --platform`). Downloaded here, at install time, never by a test; kept in the cache.
//   node scripts/test-images.mjs     fetches whatever is missing
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Debian architecture -> the Docker platform its binaries run as. */
export const FOREIGN_ARCHES = { arm64: 'linux/arm64', armhf: 'linux/arm/v7' };

export function foreignBusyboxDeb(arch, env = process.env) {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'berth', 'test-images', `busybox-static_${arch}.deb`);
}

/**
 * apt-get with a state, cache and source list of its own: the machine's apt configuration, its package lists
 * and its architectures stay as they were. The packages come from the suite the guest image is built from.
 */
function aptDownload(arches, env) {
  const work = mkdtempSync(join(tmpdir(), 'berth-apt-'));
  try {
    const mirror = env.BERTH_MIRROR || 'http://deb.debian.org/debian';
    for (const dir of ['state/lists/partial', 'cache/archives/partial', 'parts', 'debs']) mkdirSync(join(work, dir), { recursive: true });
    writeFileSync(join(work, 'status'), '');
    writeFileSync(join(work, 'sources.list'), `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} trixie main\n`);
    const options = [
      `Dir::State=${work}/state`,
      `Dir::State::status=${work}/status`,
      `Dir::Cache=${work}/cache`,
      `Dir::Etc::SourceList=${work}/sources.list`,
      `Dir::Etc::SourceParts=${work}/parts`,
      `Dir::Etc::PreferencesParts=${work}/parts`,
      `APT::Architecture=${arches[0]}`,
      ...arches.map((arch) => `APT::Architectures::=${arch}`),
      'APT::Sandbox::User=root',
    ].flatMap((option) => ['-o', option]);
    const apt = (args, cwd) => execFileSync('apt-get', [...options, ...args], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    apt(['-qq', 'update'], work);
    apt(['-qq', 'download', ...arches.map((arch) => `busybox-static:${arch}`)], join(work, 'debs'));
    for (const arch of arches) {
      const file = readdirSync(join(work, 'debs')).find((name) => name.startsWith('busybox-static_') && name.endsWith(`_${arch}.deb`));
      if (!file) throw new Error(`apt-get download left no busybox-static for ${arch}`);
      const target = foreignBusyboxDeb(arch, env);
      mkdirSync(join(target, '..'), { recursive: true });
      copyFileSync(join(work, 'debs', file), `${target}.tmp`);
      renameSync(`${target}.tmp`, target);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Fetches the foreign busybox-static packages the cache lacks. */
export function ensureForeignBusybox(env = process.env) {
  const missing = Object.keys(FOREIGN_ARCHES).filter((arch) => !existsSync(foreignBusyboxDeb(arch, env)));
  if (missing.length === 0) return;
  console.error(`Downloading busybox-static for ${missing.join(', ')} from Debian (for the multi-platform image tests)...`);
  aptDownload(missing, env);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureForeignBusybox();
