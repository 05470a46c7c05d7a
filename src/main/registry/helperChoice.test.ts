import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialRig, CredentialRig } from '../../../e2e/support/credentials';
import { BerthError } from '../api/errors';
import { dockerConfigPath } from './dockerConfig';
import { chooseHelper, helperWorks } from './helperChoice';

describe('choosing the credential helper', { timeout: 30_000 }, () => {
  let rig: CredentialRig;
  beforeAll(() => {
    rig = createCredentialRig();
  }, 60_000);
  afterAll(() => rig?.cleanup());
  beforeEach(() => rmSync(dockerConfigPath(rig.env), { force: true }));

  const written = () => JSON.parse(readFileSync(dockerConfigPath(rig.env), 'utf8'));

  it('takes pass on Linux when its store is set up, and records it as credsStore', async () => {
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ detachKeys: 'ctrl-x' }));
    expect(await chooseHelper(rig.env, 'linux')).toBe('pass');
    expect(written()).toEqual({ detachKeys: 'ctrl-x', credsStore: 'pass' });
  });

  it('keeps a credsStore that works, and replaces one that does not', async () => {
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ credsStore: 'pass' }));
    expect(await chooseHelper(rig.env, 'linux')).toBe('pass');
    writeFileSync(dockerConfigPath(rig.env), JSON.stringify({ credsStore: 'berth-no-such-helper' }));
    expect(await chooseHelper(rig.env, 'linux')).toBe('pass');
    expect(written().credsStore).toBe('pass');
  });

  it('does not count pass as working while its store has no key', async () => {
    const env = { ...rig.env, PASSWORD_STORE_DIR: mkdtempSync(join(rig.root, 'emptystore-')) };
    expect(await helperWorks('pass', env)).toBe(false);
    expect(await helperWorks('pass', rig.env)).toBe(true);
  });

  it('says how to get a helper when none works, per platform', async () => {
    const env = { ...rig.env, PATH: mkdtempSync(join(rig.root, 'emptypath-')) };
    const linux = await chooseHelper(env, 'linux').catch((caught) => caught);
    expect(linux).toBeInstanceOf(BerthError);
    expect(linux.name).toBe('NoCredentialHelper');
    expect(linux.hint).toContain('sudo apt-get install pass golang-docker-credential-helpers');
    expect(linux.hint).toContain('pass init you@example.com');
    const mac = await chooseHelper(env, 'darwin').catch((caught) => caught);
    expect(mac.name).toBe('NoCredentialHelper');
    expect(mac.hint).toContain('docker-credential-osxkeychain');
    expect((await chooseHelper(env, 'win32').catch((caught) => caught)).hint).toContain('docker-credential-wincred');
    expect(() => readFileSync(dockerConfigPath(env))).toThrow();
  });

  it('passes over secretservice when no Secret Service answers on D-Bus', async () => {
    const path = mkdtempSync(join(rig.root, 'sspath-'));
    const installed = execFileSync('sh', ['-c', 'command -v docker-credential-secretservice'], { encoding: 'utf8' }).trim();
    symlinkSync(installed, join(path, 'docker-credential-secretservice'));
    const env = { ...rig.env, PATH: path, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    expect(await helperWorks('secretservice', env)).toBe(false);
    expect((await chooseHelper(env, 'linux').catch((caught) => caught)).name).toBe('NoCredentialHelper');
  });
});
