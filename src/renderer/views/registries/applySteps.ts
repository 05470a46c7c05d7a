import type { ApplyProgress } from '../../../main/api/registry';

export type ApplyOutcome = 'running' | 'done' | 'failed';
export type StepState = ApplyProgress['state'] | 'failed';

/** A step the stream left running when it ended with an error is the one that failed. */
export const stepState = (step: ApplyProgress, outcome: ApplyOutcome): StepState => (step.state === 'running' && outcome === 'failed' ? 'failed' : step.state);

const stepCount = (count: number) => `${count} step${count === 1 ? '' : 's'}`;

/**
 * One line saying how applying goes, for the live status above the steps. It leaves the steps' labels
 * to the list, so each label is on the page once.
 */
export function applyHeadline(steps: readonly ApplyProgress[], outcome: ApplyOutcome): string {
  const done = steps.filter((step) => step.state === 'done').length;
  if (outcome === 'done') return 'Applied. The engine runs with these registry settings.';
  if (outcome === 'failed') return `Stopped after ${stepCount(done)} of ${steps.length}; the one marked failed did not finish.`;
  return done ? `Applying the registry settings: ${stepCount(done)} done…` : 'Applying the registry settings…';
}
