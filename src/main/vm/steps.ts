import { BerthError } from '../api/errors';
import type { StartStep } from '../api/engine';

export interface StepDef<Ctx> {
  name: string;
  label: string;
  /** Shown when the step fails with an error that carries no hint of its own: what to do, which log to read. */
  hint(ctx: Ctx): string;
  run(ctx: Ctx, detail: (text: string) => void): Promise<void>;
}

/** Runs named steps in order, timing each and reporting every change; the first failure stops the list. */
export async function runSteps<Ctx>(
  defs: StepDef<Ctx>[],
  ctx: Ctx,
  onChange: (steps: StartStep[]) => void,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<StartStep[]> {
  const steps: StartStep[] = defs.map((def) => ({ name: def.name, label: def.label, state: 'pending', ms: null }));
  const publish = (): void => onChange(steps.map((step) => ({ ...step })));
  publish();
  for (const [index, def] of defs.entries()) {
    const step = steps[index];
    signal.throwIfAborted();
    const started = performance.now();
    step.state = 'running';
    publish();
    try {
      await def.run(ctx, (text) => {
        step.detail = text;
        publish();
      });
      step.state = 'done';
      step.ms = Math.round(performance.now() - started);
      log(`step ${def.name} done in ${step.ms} ms`);
      publish();
    } catch (error) {
      step.state = 'failed';
      step.ms = Math.round(performance.now() - started);
      const message = error instanceof Error ? error.message : String(error);
      step.detail = message;
      log(`step ${def.name} failed after ${step.ms} ms: ${message}`);
      publish();
      const name = error instanceof BerthError ? error.name : 'StartFailed';
      const hint = error instanceof BerthError ? error.hint : def.hint(ctx);
      throw new BerthError(name, `${def.label} failed: ${message}`, hint);
    }
  }
  return steps;
}
