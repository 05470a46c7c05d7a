import type { ApplyProgress } from './api/registry';

/**
 * Runs `work` as one named step of applying settings, reporting it as it starts and ends; `steps` names each
 * step's label, so a view lists them in words.
 */
export async function applyStep<Steps extends Record<string, string>, T>(
  steps: Steps,
  step: keyof Steps & string,
  progress: (update: ApplyProgress) => void,
  work: () => T | Promise<T>,
): Promise<T> {
  progress({ step, label: steps[step], state: 'running' });
  const made = await work();
  progress({ step, label: steps[step], state: 'done' });
  return made;
}
