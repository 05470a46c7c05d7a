import { chmodSync, readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import { writeFileDurably } from '../durableFile';
import type { HomePaths } from '../home';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
  /** Why a new pair was made at this call (none before, or the old one unusable); null when the old one serves. */
  made: string | null;
}

const COMMENT = 'berth';

/** The file's text, or null when there is no such file; other faults (permissions) are the caller's to report. */
function readIfThere(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The usable pair whose private half is in `path` (the public half derived from it), or why there is none. */
function usablePair(path: string): Omit<KeyPair, 'made'> | string {
  const privateKey = readIfThere(path);
  if (privateKey === null) return 'there was none';
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) return `${path} could not be read as a key (${parsed.message})`;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey() || key.type !== 'ssh-ed25519') return `${path} is not an ed25519 private key`;
  return { privateKey, publicKey: `${key.type} ${key.getPublicSSH().toString('base64')} ${COMMENT}` };
}

/**
 * A new ed25519 pair that ssh2 itself can read back. About one in 256 pairs ssh2 generates is malformed: it
 * strips a public key's leading zero byte (mscdex/ssh2#1390, #1513), and such a private key fails to parse
 * when the link connects. Another draw has a fresh key.
 */
export function generatePair(generate = () => ssh2.utils.generateKeyPairSync('ed25519', { comment: COMMENT })): { private: string; public: string } {
  for (let attempt = 0; attempt < 16; attempt += 1) {
    const generated = generate();
    if (!(ssh2.utils.parseKey(generated.private) instanceof Error) && !(ssh2.utils.parseKey(generated.public) instanceof Error)) return generated;
  }
  throw new Error('ssh2 generated no readable ed25519 key pair in 16 draws');
}

/**
 * One ed25519 key pair per installation; the private half is the user's alone. The pair is Berth's own
 * and the guest is given the public half at every start (the hold line's pubkey=), so a private key that
 * is missing or unusable (cut short by a crash while an older Berth wrote it in place) is replaced by a
 * new pair, and the public half is always derived from the private one, rewritten when it differs.
 */
export function ensureKeyPair(paths: HomePaths): KeyPair {
  let pair = usablePair(paths.privateKey);
  let made: string | null = null;
  if (typeof pair === 'string') {
    made = `made a new key pair: ${pair}`;
    const generated = generatePair();
    writeFileDurably(paths.privateKey, generated.private, 0o600);
    pair = { privateKey: generated.private, publicKey: generated.public.trim() };
  }
  chmodSync(paths.privateKey, 0o600);
  if (readIfThere(paths.publicKey)?.trim() !== pair.publicKey) writeFileDurably(paths.publicKey, `${pair.publicKey}\n`, 0o644);
  return { ...pair, made };
}
