import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialRig, CredentialRig, filesContaining } from '../../../e2e/support/credentials';
import { BerthError } from '../api/errors';
import { helperErase, helperGet, helperList, helperStore } from './credentialHelper';

// The real docker-credential-pass against a throwaway GPG key and password store.
describe('the credential-helper protocol, with docker-credential-pass', { timeout: 30_000 }, () => {
  let rig: CredentialRig;
  beforeAll(() => {
    rig = createCredentialRig();
  }, 60_000);
  afterAll(() => rig?.cleanup());

  const secret = 'hunter2-credential-helper-test';

  it('stores, gets, lists and erases', async () => {
    await helperStore('pass', rig.env, { serverURL: 'registry.example:5000', username: 'alice', secret });
    expect(await helperGet('pass', rig.env, 'registry.example:5000')).toEqual({
      serverURL: 'registry.example:5000',
      username: 'alice',
      secret,
    });
    expect(await helperList('pass', rig.env)).toEqual({ 'registry.example:5000': 'alice' });
    expect(filesContaining(rig.root, secret)).toEqual([]);

    expect(await helperErase('pass', rig.env, 'registry.example:5000')).toBe(true);
    expect(await helperGet('pass', rig.env, 'registry.example:5000')).toBeNull();
    expect(await helperList('pass', rig.env)).toEqual({});
  });

  it('answers a server it holds nothing for with null, and erasing it again is no error', async () => {
    expect(await helperGet('pass', rig.env, 'nothing.example')).toBeNull();
    expect(await helperErase('pass', rig.env, 'nothing.example')).toBe(false);
  });

  it('says which helper is not installed', async () => {
    const error = await helperList('berth-no-such-helper', { ...rig.env, PATH: '/nonexistent' }).catch((caught) => caught);
    expect(error).toBeInstanceOf(BerthError);
    expect(error.name).toBe('CredentialHelperMissing');
    expect(error.message).toContain('docker-credential-berth-no-such-helper');
  });

  it('explains a password store that was never set up, without the secret in the error', async () => {
    const env = { ...rig.env, PASSWORD_STORE_DIR: join(rig.root, 'no-store') };
    const error = await helperStore('pass', env, { serverURL: 'x.example', username: 'bob', secret }).catch((caught) => caught);
    expect(error).toBeInstanceOf(BerthError);
    expect(error.name).toBe('CredentialHelperFailed');
    expect(error.hint).toContain('pass init');
    expect(`${error.message} ${error.hint}`).not.toContain(secret);
  });
});
