import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { HomePaths } from '../home';

export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/** One ed25519 key pair per installation, made on first start; the private half is the user's alone. */
export function ensureKeyPair(paths: HomePaths): KeyPair {
  if (!existsSync(paths.privateKey) || !existsSync(paths.publicKey)) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth' });
    writeFileSync(paths.privateKey, pair.private, { mode: 0o600 });
    writeFileSync(paths.publicKey, `${pair.public}\n`, { mode: 0o644 });
  }
  chmodSync(paths.privateKey, 0o600);
  return { privateKey: readFileSync(paths.privateKey, 'utf8'), publicKey: readFileSync(paths.publicKey, 'utf8').trim() };
}
