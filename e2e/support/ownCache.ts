import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { imageCacheDir, snapshotsDir } from '../../src/main/home';
import { repoRoot } from './berth';

/** A cache folder of one instance's own, for newInstance's extra environment. */
export interface OwnCache {
  env: NodeJS.ProcessEnv;
  /** Where the instance keeps its saved guests. */
  snapshots: string;
  remove(): void;
}

/**
 * Gives an instance its own cache (BERTH_IMAGE_CACHE), so that its saved guests are its alone: what it does to
 * them reaches no other instance, and what others save never reaches it. It runs the image the suite built
 * (BERTH_IMAGE) and starts out knowing the accelerators this machine refused, as the user's cache does.
 */
export function ownCache(): OwnCache {
  const dir = mkdtempSync(join(tmpdir(), 'bt-cache-'));
  const image = execFileSync(process.execPath, [join(repoRoot, 'bin', 'berth.mjs'), 'image', 'build'], { encoding: 'utf8' }).trim().split('\n').pop()!;
  const env = { BERTH_IMAGE: image, BERTH_IMAGE_CACHE: join(dir, 'images') };
  const verdicts = join(dirname(imageCacheDir()), 'accelerator.json');
  if (existsSync(verdicts)) copyFileSync(verdicts, join(dir, 'accelerator.json'));
  return { env, snapshots: snapshotsDir(env), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
