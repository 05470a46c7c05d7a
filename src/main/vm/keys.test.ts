import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { ensureHome, homePaths, type HomePaths } from '../home';
import { ensureKeyPair, generatePair } from './keys';

function home(): HomePaths {
  const paths = homePaths(mkdtempSync(join(tmpdir(), 'berth-keys-')));
  ensureHome(paths);
  return paths;
}

/** The key really signs, and its public half is the one given to the guest. */
function signsFor(privateKey: string, publicKey: string): boolean {
  const key = ssh2.utils.parseKey(privateKey);
  const pub = ssh2.utils.parseKey(publicKey);
  if (key instanceof Error || pub instanceof Error) return false;
  const data = Buffer.from('berth');
  return (Array.isArray(pub) ? pub[0] : pub).verify(data, (Array.isArray(key) ? key[0] : key).sign(data));
}

describe('ensureKeyPair', () => {
  it('makes one pair on the first call, private to the user, and keeps it', () => {
    const paths = home();
    const first = ensureKeyPair(paths);
    expect(first.made).toBe('made a new key pair: there was none');
    expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.publicKey).mode & 0o777).toBe(0o644);
    expect(readFileSync(paths.publicKey, 'utf8')).toBe(`${first.publicKey}\n`);
    expect(signsFor(first.privateKey, first.publicKey)).toBe(true);
    const again = ensureKeyPair(paths);
    expect(again).toEqual({ ...first, made: null });
  });

  it('replaces a private key cut short by a crash with a new pair, and says which file it was', () => {
    const paths = home();
    const old = ensureKeyPair(paths);
    truncateSync(paths.privateKey, Math.floor(old.privateKey.length / 2));
    const next = ensureKeyPair(paths);
    expect(next.made).toMatch(new RegExp(`^made a new key pair: ${paths.privateKey} could not be read as a key \\(.+\\)$`));
    expect(next.publicKey).not.toBe(old.publicKey);
    expect(signsFor(next.privateKey, next.publicKey)).toBe(true);
    expect(readFileSync(paths.privateKey, 'utf8')).toBe(next.privateKey);
    expect(readFileSync(paths.publicKey, 'utf8')).toBe(`${next.publicKey}\n`);
    writeFileSync(paths.privateKey, '');
    expect(ensureKeyPair(paths).made).toContain(`${paths.privateKey} could not be read as a key`);
  });

  it('derives a missing or damaged public half from the private key, keeping the pair', () => {
    const paths = home();
    const pair = ensureKeyPair(paths);
    rmSync(paths.publicKey);
    expect(ensureKeyPair(paths)).toEqual({ ...pair, made: null });
    writeFileSync(paths.publicKey, 'ssh-ed25519 AAAAC3Nza');
    expect(ensureKeyPair(paths)).toEqual({ ...pair, made: null });
    expect(readFileSync(paths.publicKey, 'utf8')).toBe(`${pair.publicKey}\n`);
  });

  it('replaces a key of another kind with its own ed25519 pair', () => {
    const paths = home();
    writeFileSync(paths.privateKey, ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).private, { mode: 0o600 });
    const pair = ensureKeyPair(paths);
    expect(pair.made).toBe(`made a new key pair: ${paths.privateKey} is not an ed25519 private key`);
    expect(pair.publicKey).toMatch(/^ssh-ed25519 /);
  });

  it("draws again when ssh2 generates a pair it cannot read back, and gives up after 16 draws", () => {
    const malformed = { private: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n', public: 'ssh-ed25519 AAAA berth' };
    const real = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'berth' });
    let draws = 0;
    const pair = generatePair(() => (++draws < 3 ? malformed : real));
    expect(draws).toBe(3);
    expect(signsFor(pair.private, pair.public)).toBe(true);
    expect(() => generatePair(() => malformed)).toThrow(/no readable ed25519 key pair in 16 draws/);
  });
});
