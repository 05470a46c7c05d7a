import { describe, expect, it } from 'vitest';
import { postureLines, postureTable } from './posture';

const containers = [
  { id: 'b1', name: 'web', image: 'nginx:1.27', findings: [{ id: 'root' as const, detail: 'user root' }, { id: 'added-capabilities' as const, detail: 'NET_ADMIN' }] },
  { id: 'a1', name: 'safe', image: 'busybox:offline', findings: [] },
];

describe('berth posture', () => {
  it('gives each container by name with its findings’ ids, labels and details, for --json', () => {
    expect(postureLines(containers)).toEqual([
      { id: 'a1', name: 'safe', image: 'busybox:offline', findings: [] },
      {
        id: 'b1',
        name: 'web',
        image: 'nginx:1.27',
        findings: [
          { id: 'root', label: 'Runs as root', detail: 'user root' },
          { id: 'added-capabilities', label: 'Extra capabilities', detail: 'NET_ADMIN' },
        ],
      },
    ]);
  });

  it('prints a table, then how to avoid each kind of finding it shows', () => {
    const table = postureTable(postureLines(containers)).split('\n');
    expect(table.slice(0, 3)).toEqual([
      'NAME  IMAGE            FINDINGS',
      'safe  busybox:offline  none',
      'web   nginx:1.27       Runs as root, Extra capabilities',
    ]);
    expect(table[4]).toBe('To avoid them:');
    expect(table[5]).toMatch(/^ {2}Runs as root {8}Set a USER in the Dockerfile/);
    expect(table[6]).toMatch(/^ {2}Extra capabilities {2}Remove the `--cap-add` flags/);
    expect(table).toHaveLength(7);
  });

  it('says when there is nothing to list, and prints no advice when nothing was found', () => {
    expect(postureTable([])).toBe('No containers.');
    expect(postureTable(postureLines([containers[1]!]))).toBe('NAME  IMAGE            FINDINGS\nsafe  busybox:offline  none');
  });
});
