import { describe, expect, it } from 'vitest';
import { DOCKER_HUB_SERVER } from '../../../main/api/registry';
import { presetOf, registryLabel } from './presets';

describe('registry presets', () => {
  it('follows what is typed into Server', () => {
    expect(presetOf(DOCKER_HUB_SERVER)).toBe('hub');
    expect(presetOf(' GHCR.io ')).toBe('ghcr');
    expect(presetOf('quay.io')).toBe('quay');
    expect(presetOf('quay.io:443')).toBe('custom');
    expect(presetOf('host.docker.internal:5000')).toBe('custom');
    expect(presetOf('')).toBe('custom');
  });

  it('names a well-known registry and keeps its server in view', () => {
    expect(registryLabel(DOCKER_HUB_SERVER)).toBe(`Docker Hub (${DOCKER_HUB_SERVER})`);
    expect(registryLabel('ghcr.io')).toBe('GitHub Container Registry (ghcr.io)');
    expect(registryLabel('registry.example.com:5000')).toBe('registry.example.com:5000');
  });
});
