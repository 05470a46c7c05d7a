import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialRig, CredentialRig, filesContaining } from '../../../e2e/support/credentials';
import { helperList } from './credentialHelper';
import { dockerConfigPath } from './dockerConfig';
import { credentialsFor, DOCKER_HUB, eraseLogin, listLogins, normalizeServer, storeLogin } from './logins';

describe('normalizeServer', () => {
  it('names servers as the docker CLI keys them', () => {
    for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'https://index.docker.io/v1/', 'Docker.IO', ''])
      expect(normalizeServer(hub)).toBe(DOCKER_HUB);
    expect(normalizeServer('https://registry.example:5000/v2/')).toBe('registry.example:5000');
    expect(normalizeServer('http://localhost:5000')).toBe('localhost:5000');
    expect(normalizeServer('ghcr.io/owner/image')).toBe('ghcr.io');
    expect(normalizeServer(' quay.io ')).toBe('quay.io');
  });
});

// The real pass helper and the real docker CLI, against a throwaway GPG key, store and DOCKER_CONFIG.
describe('registry logins', { timeout: 30_000 }, () => {
  let rig: CredentialRig;
  beforeAll(() => {
    rig = createCredentialRig();
  }, 60_000);
  afterAll(() => rig?.cleanup());
  beforeEach(() => writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ currentContext: 'berth', proxies: { default: { noProxy: 'localhost' } } })));

  const written = () => JSON.parse(readFileSync(dockerConfigPath(rig.env), 'utf8'));
  const docker = (...args: string[]) => execFileSync('docker', ['--config', rig.dockerConfig, ...args], { env: rig.env, encoding: 'utf8' });
  const secret = 'pa55-word-only-in-the-keyring';

  it('stores the secret in the helper only, and writes config.json as docker login does', async () => {
    expect(await storeLogin(rig.env, { server: 'https://registry.example:5000/', username: 'alice', secret })).toEqual({
      server: 'registry.example:5000',
      username: 'alice',
    });
    expect(written()).toEqual({
      currentContext: 'berth',
      proxies: { default: { noProxy: 'localhost' } },
      credsStore: 'pass',
      auths: { 'registry.example:5000': {} },
    });
    const encoded = Buffer.from(`alice:${secret}`).toString('base64');
    expect(filesContaining(rig.root, secret)).toEqual([]);
    expect(filesContaining(rig.root, encoded)).toEqual([]);

    const fromHelper = execFileSync('docker-credential-pass', ['get'], { env: rig.env, input: 'registry.example:5000', encoding: 'utf8' });
    expect(JSON.parse(fromHelper)).toEqual({ ServerURL: 'registry.example:5000', Username: 'alice', Secret: secret });
    expect(await listLogins(rig.env)).toEqual([{ server: 'registry.example:5000', username: 'alice' }]);
    expect(await credentialsFor(rig.env, 'registry.example:5000')).toEqual({
      username: 'alice',
      password: secret,
      serveraddress: 'registry.example:5000',
    });
  });

  it('is signed out by the docker CLI, which finds the credsStore Berth recorded', async () => {
    await storeLogin(rig.env, { server: 'registry.example:5000', username: 'alice', secret });
    expect(docker('logout', 'registry.example:5000')).toContain('Removing login credentials for registry.example:5000');
    expect(await listLogins(rig.env)).toEqual([]);
    expect(await credentialsFor(rig.env, 'registry.example:5000')).toBeNull();
    expect(written().auths).toEqual({});
  });

  it('files Docker Hub under its URL, and signs out of it', async () => {
    await storeLogin(rig.env, { server: 'docker.io', username: 'bob', secret });
    expect(written().auths).toEqual({ [DOCKER_HUB]: {} });
    expect(await helperList('pass', rig.env)).toEqual({ [DOCKER_HUB]: 'bob' });
    expect((await credentialsFor(rig.env, 'registry-1.docker.io'))?.serveraddress).toBe(DOCKER_HUB);
    await eraseLogin(rig.env, 'index.docker.io');
    expect(await helperList('pass', rig.env)).toEqual({});
    expect(await listLogins(rig.env)).toEqual([]);
  });

  it('replaces a plain-text entry an older docker login left, and reads one while it is there', async () => {
    const auth = Buffer.from(`carol:${secret}`).toString('base64');
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ auths: { 'https://old.example': { auth } } }));
    expect(await listLogins(rig.env)).toEqual([{ server: 'old.example', username: 'carol' }]);
    expect(await credentialsFor(rig.env, 'old.example')).toEqual({ username: 'carol', password: secret, serveraddress: 'old.example' });

    await storeLogin(rig.env, { server: 'old.example', username: 'carol', secret });
    expect(written()).toEqual({ credsStore: 'pass', auths: { 'old.example': {} } });
    expect(filesContaining(rig.root, auth)).toEqual([]);
    await eraseLogin(rig.env, 'old.example');
    expect(written().auths).toEqual({});
    expect(await listLogins(rig.env)).toEqual([]);
  });

  it('honours credHelpers for its server over credsStore', async () => {
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ credsStore: 'berth-no-such-helper', credHelpers: { 'special.example': 'pass' } }));
    await storeLogin(rig.env, { server: 'special.example', username: 'dave', secret });
    expect(written()).toEqual({ credsStore: 'berth-no-such-helper', credHelpers: { 'special.example': 'pass' }, auths: { 'special.example': {} } });
    expect((await credentialsFor(rig.env, 'special.example'))?.password).toBe(secret);
    await eraseLogin(rig.env, 'special.example');
    expect(await helperList('pass', rig.env)).toEqual({});
  });
});
