import { describe, expect, it } from 'vitest';
import type { ApplyProgress } from '../../main/api/registry';
import { applyHeadline, stepState } from './applySteps';

const what = { name: 'the registry settings', applied: 'Applied. The engine runs with these registry settings.' };

const saved: ApplyProgress = { step: 'save', label: 'Save the settings', state: 'done' };
const restarting: ApplyProgress = { step: 'restart', label: 'Restart the engine', state: 'running' };

describe('apply steps', () => {
  it('says how applying goes without repeating a step label', () => {
    expect(applyHeadline([], 'running', what)).toBe('Applying the registry settings…');
    expect(applyHeadline([saved, restarting], 'running', what)).toBe('Applying the registry settings: 1 step done…');
    expect(applyHeadline([saved, { ...restarting, state: 'done' }], 'done', what)).toMatch(/^Applied\./);
    expect(applyHeadline([saved, restarting], 'failed', what)).toBe('Stopped after 1 step of 2; the one marked failed did not finish.');
    for (const outcome of ['running', 'done', 'failed'] as const) expect(applyHeadline([saved, restarting], outcome, what)).not.toContain('Restart the engine');
  });

  it('shows the step left running by an error as the one that failed', () => {
    expect(stepState(restarting, 'running')).toBe('running');
    expect(stepState(restarting, 'failed')).toBe('failed');
    expect(stepState(saved, 'failed')).toBe('done');
  });
});
