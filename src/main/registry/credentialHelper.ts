import { execFile } from 'node:child_process';
import { BerthError } from '../api/errors';

/**
 * The docker credential-helper protocol (github.com/docker/docker-credential-helpers): a program
 * docker-credential-NAME takes the action as its one argument, its input on stdin, and answers on
 * stdout; on failure it exits non-zero with the error text on stdout.
 */
export interface HelperCredentials {
  serverURL: string;
  username: string;
  secret: string;
}

type Action = 'store' | 'get' | 'erase' | 'list';

// get may wait on a keychain unlock or a GPG pinentry prompt that the user has to answer.
const TIMEOUT_MS = 60_000;

// What helpers answer for a server they hold nothing for: the protocol's own text, and the
// `pass` helper's erase before version 0.7.
const NOT_FOUND = /credentials not found in native keychain|is not in the password store/i;

export function helperProgram(name: string): string {
  return `docker-credential-${name}`;
}

class HelperExit extends Error {
  constructor(readonly output: string) {
    super(output);
  }
}

function hintFor(name: string, output: string): string {
  if (/not initiali[sz]ed|password store is empty/i.test(output)) {
    return 'Set up the password store with `pass init <your GPG key id>`, then try again.';
  }
  if (/gpg|decrypt|secret key/i.test(output)) {
    return 'GPG could not use the password store\'s key: check `gpg --list-secret-keys` and that gpg-agent can ask for its passphrase.';
  }
  if (/d-bus|dbus|secretservice|secret service/i.test(output)) {
    return 'No Secret Service answers on D-Bus: unlock or start your keyring (GNOME Keyring, KWallet, KeePassXC), or use pass.';
  }
  return `Run \`${helperProgram(name)} list\` in a terminal to see what it needs.`;
}

/** The helper's error text without the secret, in case a helper ever echoes its input. */
function scrub(output: string, secret: string | undefined): string {
  const text = output.trim().slice(0, 500);
  return secret ? text.split(secret).join('***') : text;
}

function run(name: string, action: Action, input: string, env: NodeJS.ProcessEnv, secret?: string): Promise<string> {
  const program = helperProgram(name);
  return new Promise((resolve, reject) => {
    const child = execFile(program, [action], { env, timeout: TIMEOUT_MS, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        return reject(
          new BerthError(
            'CredentialHelperMissing',
            `The credential helper ${program} is not installed (it is not on PATH).`,
            `Install ${program}, or set "credsStore" in the docker config.json to a helper you have.`,
          ),
        );
      }
      if (error.killed) {
        return reject(
          new BerthError(
            'CredentialHelperTimeout',
            `${program} ${action} did not answer within ${TIMEOUT_MS / 1000} s.`,
            'It may be waiting for a keychain or GPG passphrase prompt: answer or unlock it, then try again.',
          ),
        );
      }
      reject(new HelperExit(scrub(stdout || stderr || error.message, secret)));
    });
    // A helper that fails before reading closes stdin; its exit status reports why.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

function failed(name: string, action: Action, error: unknown): unknown {
  if (!(error instanceof HelperExit)) return error;
  return new BerthError('CredentialHelperFailed', `${helperProgram(name)} ${action} failed: ${error.output}`, hintFor(name, error.output));
}

function parse(name: string, action: Action, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    // The text is not quoted: from get it may hold the secret.
    throw new BerthError(
      'CredentialHelperFailed',
      `${helperProgram(name)} ${action} answered with something that is not JSON.`,
      hintFor(name, ''),
    );
  }
}

export async function helperStore(name: string, env: NodeJS.ProcessEnv, credentials: HelperCredentials): Promise<void> {
  const input = JSON.stringify({ ServerURL: credentials.serverURL, Username: credentials.username, Secret: credentials.secret });
  await run(name, 'store', input, env, credentials.secret).catch((error) => Promise.reject(failed(name, 'store', error)));
}

/** What the helper holds for `serverURL`, or null when it holds nothing (not signed in). */
export async function helperGet(name: string, env: NodeJS.ProcessEnv, serverURL: string): Promise<HelperCredentials | null> {
  let stdout: string;
  try {
    stdout = await run(name, 'get', serverURL, env);
  } catch (error) {
    if (error instanceof HelperExit && NOT_FOUND.test(error.output)) return null;
    throw failed(name, 'get', error);
  }
  const answer = parse(name, 'get', stdout) as { ServerURL?: unknown; Username?: unknown; Secret?: unknown };
  const username = typeof answer?.Username === 'string' ? answer.Username : '';
  const secret = typeof answer?.Secret === 'string' ? answer.Secret : '';
  // The pass helper before 0.7 answers an unknown server with empty fields and success.
  if (username === '' && secret === '') return null;
  return { serverURL: typeof answer.ServerURL === 'string' ? answer.ServerURL : serverURL, username, secret };
}

/** Removes what the helper holds for `serverURL`; true when it held something. */
export async function helperErase(name: string, env: NodeJS.ProcessEnv, serverURL: string): Promise<boolean> {
  try {
    await run(name, 'erase', serverURL, env);
    return true;
  } catch (error) {
    if (error instanceof HelperExit && NOT_FOUND.test(error.output)) return false;
    throw failed(name, 'erase', error);
  }
}

/** Server URL -> username for everything the helper holds. */
export async function helperList(name: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const stdout = await run(name, 'list', '', env).catch((error) => Promise.reject(failed(name, 'list', error)));
  const answer = parse(name, 'list', stdout);
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return {};
  return Object.fromEntries(Object.entries(answer).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
