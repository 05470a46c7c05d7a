// `npm start`: installs what this checkout needs, builds, and opens the Berth window. Where no
// Electron binary can be had (its download fails on some machines) it brings the engine up and serves
// the same UI to a browser instead, printing the address to open.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';
import { ensureNodeModules, ensurePackages, IMAGE_BUILD, RUNTIME } from './system-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = join(root, 'node_modules', 'electron');
const cli = join(root, 'bin', 'berth.mjs');
const say = (line) => process.stderr.write(`${line}\n`);

ensureNodeModules(root);
// QEMU runs the VM and the image tools build its guest on first start (Debian: installed here).
if (process.platform === 'linux') ensurePackages(RUNTIME, IMAGE_BUILD);

let electron = electronBinary(root);
if (!electron && existsSync(join(electronDir, 'install.js'))) {
  // npm skips Electron's download script (allowScripts), so it is run here, once, bounded in time.
  say('Fetching the Electron binary...');
  const fetched = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60_000,
    encoding: 'utf8',
  });
  electron = electronBinary(root);
  if (!electron) {
    const why = fetched.error?.message ?? (fetched.stderr ?? '').trim().split('\n').find((line) => line.includes('Error')) ?? 'no binary';
    say(`  the download failed: ${why}`);
  }
}

say('Building...');
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) process.exit(build.status ?? 1);

/** Runs a child in the foreground: Ctrl-C reaches it from the terminal, and its exit code becomes ours. */
function foreground(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

if (electron) {
  // The window's main process starts the engine itself and shows its progress.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  foreground(electron, [root], env);
} else {
  say('No Electron binary is available on this machine, so Berth serves the same UI to your browser instead.');
  say('Starting the engine...');
  // Its errors (QEMU missing, say) come with a hint of what to install; the UI can start it again later.
  const started = spawnSync(process.execPath, [cli, 'start'], { cwd: root, stdio: 'inherit' });
  if (started.status !== 0) say('The engine did not start (see above); once that is fixed, Start in the UI tries again.');
  foreground(process.execPath, [cli, 'serve']);
}
