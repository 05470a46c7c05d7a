// `npm run dist -- [TARGET] [--image DIR] [--qemu DIR]`: builds Berth, stages what TARGET's installer carries
// (scripts/dist/stage.ts) and runs electron-builder for it. TARGET is one of mac-arm64, mac-x64, win-x64,
// linux-x64, linux-arm64 (default: this machine's). electron-builder downloads Electron for the target, so
// this runs only where that download works; README ("Installers") and docs/platforms.md say what each needs.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Arch, build, Platform } from 'electron-builder';
import { httpDownload, stage } from './dist/stage';
import { FORMATS, guestOf, hostTarget, targetConfig, targetName, TARGETS, type Target } from './dist/targets';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line: string): void => void process.stderr.write(`${line}\n`);

const { values, positionals } = parseArgs({ allowPositionals: true, options: { image: { type: 'string' }, qemu: { type: 'string' } } });
const named = positionals[0];
const target: Target | undefined = named ? TARGETS.find((each) => targetName(each) === named) : hostTarget();
if (!target) throw new Error(`No installer is called ${named}: name one of ${TARGETS.map(targetName).join(', ')}.`);

const node = (args: string[], env: NodeJS.ProcessEnv = process.env): string =>
  execFileSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

say('Building...');
node([join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build']);

// The guest image is built from Debian's packages on Linux (root or mmdebstrap's unshare mode); a macOS or
// Windows release takes the folder a Linux build left in its image cache.
let image = values.image;
if (!image) {
  if (process.platform !== 'linux') throw new Error('Pass --image DIR: the guest image is built on Linux (`berth image build`), and its cache folder is what an installer carries.');
  say(`Building the ${guestOf(target)} guest image (cached)...`);
  image = node([join(root, 'bin', 'berth.mjs'), 'image', 'build'], { ...process.env, BERTH_ARCH: guestOf(target) }).trim().split('\n').at(-1)!;
}

say(`Staging what the ${targetName(target)} installer carries...`);
const staged = await stage(root, target, {
  image,
  qemu: values.qemu,
  download: httpDownload,
});
say(`  ${staged}`);

const platform = { mac: Platform.MAC, win: Platform.WINDOWS, linux: Platform.LINUX }[target.os];
await build({ projectDir: root, targets: platform.createTarget(FORMATS[target.os], Arch[target.arch]), config: targetConfig(target), publish: 'never' });
