import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extensionKey, repositoryOf, versionOf } from './key';

describe('extension keys and ids', () => {
  it('keys an extension by the first 16 hex digits of the SHA-256 of its id', () => {
    const full = createHash('sha256').update('docker/disk-usage-extension').digest('hex');
    expect(extensionKey('docker/disk-usage-extension')).toBe(full.slice(0, 16));
    expect(extensionKey('docker/disk-usage-extension')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('takes the id from the repository, without tag or digest, Docker Hub written the short way', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(repositoryOf('docker/disk-usage-extension:0.2.8')).toBe('docker/disk-usage-extension');
    expect(repositoryOf(`docker/disk-usage-extension@${digest}`)).toBe('docker/disk-usage-extension');
    expect(repositoryOf('docker.io/docker/disk-usage-extension:0.2.8')).toBe('docker/disk-usage-extension');
    expect(repositoryOf('docker.io/library/ext')).toBe('ext');
    expect(repositoryOf('host.docker.internal:5000/team/ext:1.0.0')).toBe('host.docker.internal:5000/team/ext');
    expect(() => repositoryOf('Team/Ext')).toThrow(/lowercase/);
  });

  it('versions an install by its tag, else latest', () => {
    expect(versionOf('team/ext:1.2.3')).toBe('1.2.3');
    expect(versionOf('localhost:5000/team/ext')).toBe('latest');
    expect(versionOf(`team/ext@sha256:${'b'.repeat(64)}`)).toBe('sha256:bbbbbbbbbbbb');
  });
});
