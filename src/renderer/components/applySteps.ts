import type { ApplyProgress } from '../../main/api/registry';

export type ApplyOutcome = 'running' | 'done' | 'failed';
export type StepState = ApplyProgress['state'] | 'failed';

/** A step the stream left running when it ended with an error is the one that failed. */
export const stepState = (step: ApplyProgress, outcome: ApplyOutcome): StepState => (step.state === 'running' && outcome === 'failed' ? 'failed' : step.state);

/** What is applied, in words: its name (`the registry settings`), and what to say once it is. */
export interface ApplyWords {
  name: string;
  applied: string;
}

const stepCount = (count: number) => `${count} step${count === 1 ? '' : 's'}`;

/**
 * One line saying how applying goes, for the live status above the steps. It leaves the steps' labels
 * to the list, so each label is on the page once.
 */
export function applyHeadline(steps: readonly ApplyProgress[], outcome: ApplyOutcome, what: ApplyWords): string {
  const done = steps.filter((step) => step.state === 'done').length;
  if (outcome === 'done') return what.applied;
  if (outcome === 'failed') return `Stopped after ${stepCount(done)} of ${steps.length}; the one marked failed did not finish.`;
  return done ? `Applying ${what.name}: ${stepCount(done)} done…` : `Applying ${what.name}…`;
}
