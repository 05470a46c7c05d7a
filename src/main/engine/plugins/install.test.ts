import { describe, expect, it } from 'vitest';
import { installedName, pluginTransferError } from './install';

describe('installing a plugin', () => {
  it('names the plugin as the engine will: Docker Hub shortened, a tag always', () => {
    expect(installedName('vieux/sshfs')).toBe('vieux/sshfs:latest');
    expect(installedName('docker.io/library/plug:1.0')).toBe('plug:1.0');
    expect(installedName('host.docker.internal:5000/berth/vol:v2')).toBe('host.docker.internal:5000/berth/vol:v2');
    expect(installedName(`registry.example.com/team/vol@sha256:${'a'.repeat(64)}`)).toBe('registry.example.com/team/vol:latest');
    expect(() => installedName('Team/Vol')).toThrow(/lowercase/);
  });

  it('says what went wrong in the user’s terms, with what to do', () => {
    const ref = 'host.docker.internal:5000/berth/vol:v1';
    expect(pluginTransferError(ref, 'plugin "host.docker.internal:5000/berth/vol:v1" already exists', 400, false)).toMatchObject({ name: 'PluginExists', hint: expect.stringContaining('Upgrade') });
    expect(pluginTransferError(ref, 'plugin must be disabled before upgrading: plugin x is enabled', 409, false)).toMatchObject({ name: 'PluginEnabled', hint: expect.stringContaining('Disable it first') });
    expect(pluginTransferError(ref, 'fetched plugin image but plugin config is missing', null, false)).toMatchObject({ name: 'NotAPlugin' });
    expect(pluginTransferError(ref, 'incorrect privileges', null, false)).toMatchObject({ name: 'PrivilegesChanged' });
    expect(pluginTransferError(ref, 'manifest unknown', null, false)).toMatchObject({ name: 'NoSuchPlugin', message: expect.stringContaining(ref) });
    expect(pluginTransferError(ref, 'dial tcp 10.0.2.2:5000: connect: connection refused', null, false)).toMatchObject({ name: 'RegistryUnreachable' });
    expect(pluginTransferError(ref, 'unauthorized: authentication required', null, true)).toMatchObject({ name: 'RegistrySignInExpired' });
  });
});
