import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BerthError } from '../api/errors';
import { helperList, helperProgram } from './credentialHelper';
import { credsStore, readDockerConfig, updateDockerConfig } from './dockerConfig';

/** Whether `program` is an executable in one of PATH's folders. */
export function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const names = process.platform === 'win32' ? [program, `${program}.exe`] : [program];
  return dirs.some((dir) =>
    names.some((name) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }),
  );
}

/** `pass init` writes .gpg-id; without it the pass helper lists fine but cannot store. */
function passStoreReady(env: NodeJS.ProcessEnv): boolean {
  const store = env.PASSWORD_STORE_DIR || join(env.HOME || homedir(), '.password-store');
  return existsSync(join(store, '.gpg-id'));
}

/** A helper works when its `list` succeeds (for pass, once its store is set up too). */
export async function helperWorks(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (name === 'pass' && !passStoreReady(env)) return false;
  try {
    await helperList(name, env);
    return true;
  } catch {
    return false;
  }
}

/** The helpers worth trying here, most preferred first, as Docker Desktop and Rancher Desktop pick them. */
function candidates(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  if (platform === 'darwin') return ['osxkeychain'];
  if (platform === 'win32') return ['wincred'];
  return ['pass', 'secretservice'].filter(
    (name) => onPath(helperProgram(name), env) && (name !== 'pass' || onPath('pass', env)),
  );
}

function noHelper(platform: NodeJS.Platform): BerthError {
  const releases = 'https://github.com/docker/docker-credential-helpers/releases';
  const hint =
    platform === 'darwin'
      ? `Install Docker's docker-credential-osxkeychain (from ${releases}) somewhere on PATH, then sign in again.`
      : platform === 'win32'
        ? `Install Docker's docker-credential-wincred.exe (from ${releases}) somewhere on PATH, then sign in again.`
        : 'On Debian or Ubuntu: `sudo apt-get install pass golang-docker-credential-helpers`, make a GPG key with ' +
          '`gpg --quick-generate-key "Your Name <you@example.com>"`, set up the store with `pass init you@example.com`, ' +
          'then sign in again. On a desktop with a Secret Service (GNOME Keyring, KWallet), docker-credential-secretservice works too.';
  return new BerthError(
    'NoCredentialHelper',
    'No docker credential helper works on this machine, so there is nowhere safe to keep a registry password.',
    hint,
  );
}

/**
 * The helper registry passwords go to: config.json's credsStore while it works, else the first
 * one that works here, recorded as credsStore so the docker CLI uses the same one.
 */
export async function chooseHelper(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<string> {
  const current = credsStore(readDockerConfig(env));
  if (current !== undefined && (await helperWorks(current, env))) return current;
  for (const name of candidates(platform, env)) {
    if (!(await helperWorks(name, env))) continue;
    updateDockerConfig(env, (config) => {
      config.credsStore = name;
    });
    return name;
  }
  throw noHelper(platform);
}
