import { describe, expect, it } from 'vitest';
import { catalog } from './catalog';
import { repositoryOf } from './key';

describe('the bundled catalog', () => {
  it('lists well-known extensions, each with a valid image and its Docker Hub page', () => {
    const entries = catalog();
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(entries.map((entry) => repositoryOf(entry.image))).toContain('docker/disk-usage-extension');
    for (const entry of entries) {
      expect(entry.url).toBe(`https://hub.docker.com/extensions/${repositoryOf(entry.image)}`);
      expect(entry.title && entry.vendor && entry.description).toBeTruthy();
    }
    expect(new Set(entries.map((entry) => repositoryOf(entry.image))).size).toBe(entries.length);
  });
});
