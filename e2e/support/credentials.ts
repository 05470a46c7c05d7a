import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TEST_KEY_EMAIL = 'berth-test@example.invalid';

/** A temp HOME with its own GPG key, `pass` store and docker config, for the real credential helpers. */
export interface CredentialRig {
  /** Holds everything below; searching it covers every file the helpers and Berth wrote. */
  root: string;
  home: string;
  dockerConfig: string;
  passwordStore: string;
  /** process.env with HOME, GNUPGHOME, PASSWORD_STORE_DIR and DOCKER_CONFIG pointing into root. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * Makes a throwaway GPG key without a passphrase (so nothing ever asks for one) and a password
 * store initialised for it. The user's own keyring, store and ~/.docker are never touched.
 */
export function createCredentialRig(): CredentialRig {
  const root = mkdtempSync(join(tmpdir(), 'bt-creds-'));
  const home = join(root, 'home');
  const gnupg = join(home, '.gnupg');
  const passwordStore = join(home, '.password-store');
  const dockerConfig = join(home, '.docker');
  mkdirSync(gnupg, { recursive: true, mode: 0o700 });
  mkdirSync(dockerConfig, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    GNUPGHOME: gnupg,
    PASSWORD_STORE_DIR: passwordStore,
    DOCKER_CONFIG: dockerConfig,
  };
  // An inherited DISPLAY or agent would let gpg reach the user's own pinentry and keyring.
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.GPG_AGENT_INFO;
  delete env.PASSWORD_STORE_KEY;
  const quiet = { env, stdio: 'ignore' as const };
  const cleanup = () => {
    try {
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], quiet);
    } catch {
      // no agent was started
    }
    rmSync(root, { recursive: true, force: true });
  };
  try {
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', `Berth Test <${TEST_KEY_EMAIL}>`, 'default', 'default', 'never'], quiet);
    execFileSync('pass', ['init', TEST_KEY_EMAIL], quiet);
  } catch (error) {
    cleanup();
    throw new Error(
      `could not set up a GPG key and pass store (${(error as Error).message}); install them with: apt-get install pass golang-docker-credential-helpers gnupg`,
    );
  }
  return { root, home, dockerConfig, passwordStore, env, cleanup };
}

/** Every file under `dir` whose bytes contain `needle` (as UTF-8), to prove a secret is written nowhere. */
export function filesContaining(dir: string, needle: string): string[] {
  const wanted = Buffer.from(needle, 'utf8');
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesContaining(path, needle));
    else if (entry.isFile() && readFileSync(path).includes(wanted)) found.push(path);
  }
  return found;
}
