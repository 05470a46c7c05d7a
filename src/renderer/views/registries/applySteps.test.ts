import { describe, expect, it } from 'vitest';
import type { ApplyProgress } from '../../../main/api/registry';
import { applyHeadline, stepState } from './applySteps';

const saved: ApplyProgress = { step: 'save', label: 'Save the settings', state: 'done' };
const restarting: ApplyProgress = { step: 'restart', label: 'Restart the engine', state: 'running' };

describe('apply steps', () => {
  it('says how applying goes without repeating a step label', () => {
    expect(applyHeadline([], 'running')).toBe('Applying the registry settings…');
    expect(applyHeadline([saved, restarting], 'running')).toBe('Applying the registry settings: 1 step done…');
    expect(applyHeadline([saved, { ...restarting, state: 'done' }], 'done')).toMatch(/^Applied\./);
    expect(applyHeadline([saved, restarting], 'failed')).toBe('Stopped after 1 step of 2; the one marked failed did not finish.');
    for (const outcome of ['running', 'done', 'failed'] as const) expect(applyHeadline([saved, restarting], outcome)).not.toContain('Restart the engine');
  });

  it('shows the step left running by an error as the one that failed', () => {
    expect(stepState(restarting, 'running')).toBe('running');
    expect(stepState(restarting, 'failed')).toBe('failed');
    expect(stepState(saved, 'failed')).toBe('done');
  });
});
