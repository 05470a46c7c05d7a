import { BerthError } from '../api/errors';
import type { StartStep } from '../api/engine';

/**
 * One named step. It reads what the steps before it made (`In`) and returns what it makes (`Out`), which
 * the steps after it read. Properties, not methods: a step that needs something no earlier step makes
 * does not type-check in its plan.
 */
export interface Step<In, Out extends object | void> {
  name: string;
  label: string;
  /** Shown when the step fails with an error that carries no hint of its own: what to do, which log to read. */
  hint: (made: In) => string;
  run: (made: In, detail: (text: string) => void) => Promise<Out>;
}

type Adds<Out> = Out extends object ? Out : unknown;

/** Named steps in order, each given what the ones before it made: run, it returns all of that. */
export class Plan<Base extends object, Made extends object> {
  private constructor(private readonly steps: ReadonlyArray<Step<never, object | void>>) {}

  static of<Base extends object>(): Plan<Base, Base> {
    return new Plan<Base, Base>([]);
  }

  then<Out extends object | void>(step: Step<Made, Out>): Plan<Base, Made & Adds<Out>> {
    return new Plan<Base, Made & Adds<Out>>([...this.steps, step as Step<never, Out>]);
  }

  get names(): string[] {
    return this.steps.map((step) => step.name);
  }

  /** Runs the steps in order, timing each and reporting every change; the first failure stops the plan. */
  async run(base: Base, onChange: (steps: StartStep[]) => void, log: (line: string) => void, signal: AbortSignal): Promise<Made> {
    const shown: StartStep[] = this.steps.map((step) => ({ name: step.name, label: step.label, state: 'pending', ms: null }));
    const publish = (): void => onChange(shown.map((step) => ({ ...step })));
    publish();
    // What the steps made so far; `then` typed each step against it.
    let made: object = { ...base };
    for (const [index, step] of this.steps.entries()) {
      const row = shown[index];
      signal.throwIfAborted();
      const started = performance.now();
      row.state = 'running';
      publish();
      try {
        const out = await step.run(made as never, (text) => {
          row.detail = text;
          publish();
        });
        if (out) made = { ...made, ...out };
        row.state = 'done';
        row.ms = Math.round(performance.now() - started);
        log(`step ${step.name} done in ${row.ms} ms`);
        publish();
      } catch (error) {
        row.state = 'failed';
        row.ms = Math.round(performance.now() - started);
        const message = error instanceof Error ? error.message : String(error);
        row.detail = message;
        log(`step ${step.name} failed after ${row.ms} ms: ${message}`);
        publish();
        const name = error instanceof BerthError ? error.name : 'StartFailed';
        const hint = error instanceof BerthError ? error.hint : step.hint(made as never);
        throw new BerthError(name, `${step.label} failed: ${message}`, hint);
      }
    }
    return made as Made;
  }
}
