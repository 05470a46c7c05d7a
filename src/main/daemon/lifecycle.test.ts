import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineState } from '../api/engine';
import { BerthError } from '../api/errors';
import { homePaths } from '../home';
import { Plan, type Step } from '../vm/steps';
import { EngineLifecycle } from './lifecycle';
import type { StartBase, Started } from './startBase';

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach((home) => rmSync(home, { recursive: true, force: true })));

/** A lifecycle whose start runs `steps` (no VM), and every state it went through. */
function lifecycleWith(steps: Array<Step<StartBase, void>>): { lifecycle: EngineLifecycle; states: EngineState[]; log: string[] } {
  const home = mkdtempSync(join(tmpdir(), 'bt-lifecycle-'));
  homes.push(home);
  const log: string[] = [];
  // Steps that make none of what a running engine needs: these tests end every start before it would run.
  const plan = steps.reduce((each, step) => each.then(step), Plan.of<StartBase>()) as unknown as Plan<StartBase, Started>;
  const lifecycle = new EngineLifecycle(homePaths(home), {}, (line) => log.push(line), { boot: plan, adopt: () => plan, resume: () => plan });
  const states: EngineState[] = [];
  lifecycle.on('changed', (status) => {
    if (states.at(-1) !== status.state) states.push(status.state);
  });
  return { lifecycle, states, log };
}

const step = (name: string, run: Step<StartBase, void>['run']): Step<StartBase, void> => ({ name, label: `Step ${name}`, hint: () => `the hint of ${name}`, run });

describe('the engine lifecycle', () => {
  it('ends a start whose step fails in error, with the step named and its hint', async () => {
    const { lifecycle, states } = lifecycleWith([
      step('one', async () => undefined),
      step('two', async () => {
        throw new Error('it broke');
      }),
    ]);
    await expect(lifecycle.start()).rejects.toMatchObject({ message: 'Step two failed: it broke', hint: 'the hint of two' });
    expect(states).toEqual(['starting', 'error']);
    const status = lifecycle.status();
    expect(status.error).toMatchObject({ message: 'Step two failed: it broke', hint: 'the hint of two' });
    expect(status.steps.map((each) => each.state)).toEqual(['done', 'failed']);
  });

  it('refuses a second start while one runs, and a stop cancels that start into stopped', async () => {
    let release = (): void => undefined;
    const { lifecycle, states } = lifecycleWith([step('slow', (ctx) => new Promise<void>((resolve, reject) => {
      release = resolve;
      ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
    }))]);
    const first = lifecycle.start();
    await expect(lifecycle.start()).rejects.toMatchObject({ name: 'AlreadyStarting' });
    await lifecycle.stop();
    await expect(first).rejects.toMatchObject({ name: 'StartCancelled' });
    expect(states).toEqual(['starting', 'stopping', 'stopped']);
    release();
  });

  it('starts again after an error, showing only the new start\'s steps and error', async () => {
    let round = 0;
    const { lifecycle, states } = lifecycleWith([step('flaky', async () => {
      round += 1;
      throw new BerthError('Flaky', `attempt ${round} failed`, 'try again');
    })]);
    await expect(lifecycle.start()).rejects.toMatchObject({ name: 'Flaky' });
    await expect(lifecycle.start()).rejects.toMatchObject({ name: 'Flaky' });
    expect(states).toEqual(['starting', 'error', 'starting', 'error']);
    expect(lifecycle.status().error?.message).toBe('Step flaky failed: attempt 2 failed');
    expect(lifecycle.status().steps).toHaveLength(1);
    await lifecycle.stop();
    expect(lifecycle.status().state).toBe('stopped');
  });

  it('refuses what the engine cannot be asked while stopped, with a hint', () => {
    const { lifecycle } = lifecycleWith([]);
    expect(() => lifecycle.docker()).toThrow(expect.objectContaining({ name: 'EngineNotRunning' }));
    expect(() => lifecycle.guest()).toThrow(expect.objectContaining({ name: 'EngineNotRunning' }));
    expect(lifecycle.status()).toMatchObject({ state: 'stopped', error: null, steps: [] });
  });
});
