import type { InstallProgress } from '../../../main/api/extensions';
import type { Job } from '../../stores/extensions';

export type StepState = InstallProgress['state'] | 'failed';

/** A step the stream left running when it ended with an error is the one that failed. */
export const stepState = (step: InstallProgress, job: Pick<Job, 'state'>): StepState => (step.state === 'running' && job.state === 'failed' ? 'failed' : step.state);

/** The panel's title: what the job does to which image, and how it ended. */
export function jobTitle(job: Pick<Job, 'action' | 'image' | 'state'>, name: string): string {
  const install = job.action === 'install';
  if (job.state === 'running') return `${install ? 'Installing' : 'Updating'} ${name}`;
  if (job.state === 'done') return `${install ? 'Installed' : 'Updated'} ${name}`;
  return `${install ? 'Install' : 'Update'} of ${name} failed`;
}

/** One line for the live status under the title: the step under way, or the outcome. */
export function jobStatus(job: Pick<Job, 'state' | 'steps'>): string {
  const done = job.steps.filter((step) => step.state === 'done').length;
  if (job.state === 'done') return `Done: ${done} step${done === 1 ? '' : 's'}.`;
  if (job.state === 'failed' && !job.steps.length) return 'It did not start.';
  if (job.state === 'failed') return `Stopped after ${done} step${done === 1 ? '' : 's'}; the one marked failed did not finish.`;
  const current = job.steps.find((step) => step.state === 'running');
  return current ? `${current.label}…` : 'Starting…';
}
