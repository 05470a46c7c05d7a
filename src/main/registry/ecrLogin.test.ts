import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialRig, CredentialRig } from '../../../e2e/support/credentials';
import { BerthError } from '../api/errors';
import { registry } from '../api/registry';
import { helperList } from './credentialHelper';
import { dockerConfigPath } from './dockerConfig';
import { ecrLoginInstalled, useEcrLogin } from './ecrLogin';
import { credentialsFor, eraseLogin, listLogins, storeLogin } from './logins';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

// The real pass helper beside a stand-in for docker-credential-ecr-login (the real one needs AWS): it
// answers `get` with a fixed token and notes every call, so the test sees when it is asked and when not.
describe('signing in to ECR through docker-credential-ecr-login', { timeout: 30_000 }, () => {
  let rig: CredentialRig;
  let bin: string;
  let env: NodeJS.ProcessEnv;
  const calls = () => (existsSync(join(bin, 'calls')) ? readFileSync(join(bin, 'calls'), 'utf8').trim().split('\n') : []);
  const written = () => JSON.parse(readFileSync(dockerConfigPath(rig.env), 'utf8'));

  beforeAll(() => {
    rig = createCredentialRig();
    bin = mkdtempSync(join(tmpdir(), 'bt-ecr-'));
    const helper = join(bin, 'docker-credential-ecr-login');
    writeFileSync(
      helper,
      `#!/bin/sh\nread -r server\necho "$1 $server" >> '${join(bin, 'calls')}'\n` +
        `[ "$1" = get ] && printf '{"ServerURL":"%s","Username":"AWS","Secret":"token-from-aws"}' "$server"\nexit 0\n`,
    );
    chmodSync(helper, 0o755);
    env = { ...rig.env, PATH: `${bin}${delimiter}${rig.env.PATH}` };
  }, 60_000);
  afterAll(() => {
    rig?.cleanup();
    if (bin) rmSync(bin, { recursive: true, force: true });
  });
  beforeEach(() => {
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ currentContext: 'berth', credHelpers: { 'gcr.io': 'gcloud' } }));
    rmSync(join(bin, 'calls'), { force: true });
  });

  it('finds the helper only on PATH', () => {
    expect(ecrLoginInstalled(env)).toBe(true);
    expect(ecrLoginInstalled({ ...env, PATH: rig.env.PATH })).toBe(false);
  });

  it('names it for the registry in credHelpers, in place of a password kept before, and lists it without asking it', async () => {
    await storeLogin(env, { server: ECR, username: 'AWS', secret: 'an-older-token' });
    expect(await helperList('pass', env)).toEqual({ [ECR]: 'AWS' });

    await useEcrLogin(env, ` ${ECR} `);
    expect(written()).toEqual({ currentContext: 'berth', credsStore: 'pass', credHelpers: { 'gcr.io': 'gcloud', [ECR]: 'ecr-login' }, auths: {} });
    expect(await helperList('pass', env)).toEqual({});
    expect(await listLogins(env)).toEqual([{ server: ECR, username: '', helper: 'ecr-login' }]);
    expect(calls()).toEqual([]);

    // A pull sends what the helper answers, as docker does.
    expect(await credentialsFor(env, ECR)).toEqual({ username: 'AWS', password: 'token-from-aws', serveraddress: ECR });
    expect(calls()).toEqual([`get ${ECR}`]);
  });

  it('signs out by naming it no more, without running it', async () => {
    await useEcrLogin(env, ECR);
    await eraseLogin(env, ECR);
    expect(written()).toEqual({ currentContext: 'berth', credHelpers: { 'gcr.io': 'gcloud' } });
    expect(await listLogins(env)).toEqual([]);
    expect(calls()).toEqual([]);
  });

  it('gives way to a password signed in with afterwards, which the credsStore keeps', async () => {
    await useEcrLogin(env, ECR);
    await storeLogin(env, { server: ECR, username: 'AWS', secret: 'a-newer-token' });
    expect(written().credHelpers).toEqual({ 'gcr.io': 'gcloud' });
    expect(await listLogins(env)).toEqual([{ server: ECR, username: 'AWS' }]);
    expect(calls()).toEqual([]);
    await eraseLogin(env, ECR);
  });

  it('is asked for through the contract only with an ECR registry', () => {
    const request = registry['registry.useEcrLogin'].request;
    expect(request.safeParse({ server: ECR }).success).toBe(true);
    for (const server of ['ghcr.io', 'contoso.azurecr.io', '12345.dkr.ecr.eu-west-1.amazonaws.com', '']) {
      expect(request.safeParse({ server }).success, server).toBe(false);
    }
  });

  it('refuses when the helper is not installed, saying how to install it, and writes nothing', async () => {
    const before = readFileSync(dockerConfigPath(rig.env), 'utf8');
    const refused = await useEcrLogin({ ...env, PATH: rig.env.PATH }, ECR).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BerthError);
    expect(refused).toMatchObject({ name: 'CredentialHelperMissing', message: expect.stringContaining('docker-credential-ecr-login is not installed') });
    expect((refused as BerthError).hint).toContain('amazon-ecr-credential-helper');
    expect(readFileSync(dockerConfigPath(rig.env), 'utf8')).toBe(before);
  });
});
