import { describe, expect, it } from 'vitest';
import { containers, ContainerSummary } from './containers';
import { FINDING_IDS, FINDING_WORDS } from './posture';

const summary = { id: 'c1', name: 'web', image: 'busybox', command: 'sh', state: 'running', status: 'Up', created: 1, project: null, ports: [] };

describe('the posture in the contract', () => {
  it('has a distinct badge and its explanation for every finding', () => {
    expect(Object.keys(FINDING_WORDS).sort()).toEqual([...FINDING_IDS].sort());
    const labels = FINDING_IDS.map((id) => FINDING_WORDS[id].label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const id of FINDING_IDS) {
      expect(FINDING_WORDS[id].why.length, id).toBeGreaterThan(40);
      expect(FINDING_WORDS[id].avoid.length, id).toBeGreaterThan(20);
    }
  });

  it('carries a row’s findings, or null while unread, and refuses a finding it does not know', () => {
    expect(ContainerSummary.parse({ ...summary, findings: null }).findings).toBeNull();
    expect(ContainerSummary.parse({ ...summary, findings: [{ id: 'host-pid', detail: 'PID mode host' }] }).findings).toHaveLength(1);
    expect(ContainerSummary.safeParse({ ...summary, findings: [{ id: 'sudo', detail: '' }] }).success).toBe(false);
    expect(ContainerSummary.safeParse(summary).success).toBe(false);
    const reply = containers['containers.posture'].reply;
    expect(reply.safeParse({ containers: [{ id: 'c1', name: 'web', image: 'busybox', findings: null }] }).success).toBe(false);
    expect(reply.safeParse({ containers: [{ id: 'c1', name: 'web', image: 'busybox', findings: [{ id: 'root', detail: 'user root' }] }] }).success).toBe(true);
  });
});
