import { describe, expect, it } from 'vitest';
import type { StartStep } from '../api/engine';
import { BerthError } from '../api/errors';
import { Plan } from './steps';

describe('Plan', () => {
  it('hands each step what the steps before it made, and returns all of it', async () => {
    const seen: string[] = [];
    const plan = Plan.of<{ home: string }>()
      .then({ name: 'a', label: 'Make a', hint: () => '', run: async ({ home }) => ({ a: `${home}/a` }) })
      .then({ name: 'b', label: 'Log a', hint: () => '', run: async ({ a }, detail) => void (seen.push(a), detail(`saw ${a}`)) })
      .then({ name: 'c', label: 'Make c', hint: () => '', run: async ({ a }) => ({ c: a.length }) });
    const reports: StartStep[][] = [];
    const made = await plan.run({ home: '/h' }, (steps) => reports.push(steps), () => undefined, new AbortController().signal);
    expect(made).toEqual({ home: '/h', a: '/h/a', c: 4 });
    expect(seen).toEqual(['/h/a']);
    expect(plan.names).toEqual(['a', 'b', 'c']);
    const last = reports.at(-1)!;
    expect(last.map((step) => step.state)).toEqual(['done', 'done', 'done']);
    expect(last[1].detail).toBe('saw /h/a');
    expect(last.every((step) => typeof step.ms === 'number')).toBe(true);
  });

  it('stops at the first failure: the step is named, its hint given unless the error has its own', async () => {
    const plan = Plan.of<object>()
      .then({ name: 'ok', label: 'Fine', hint: () => 'unused', run: async () => undefined })
      .then({ name: 'bad', label: 'Breaks', hint: () => 'read the log', run: async () => Promise.reject(new Error('it broke')) })
      .then({ name: 'never', label: 'Never', hint: () => '', run: async () => Promise.reject(new Error('ran')) });
    let last: StartStep[] = [];
    await expect(plan.run({}, (steps) => (last = steps), () => undefined, new AbortController().signal)).rejects.toEqual(
      new BerthError('StartFailed', 'Breaks failed: it broke', 'read the log'),
    );
    expect(last.map((step) => step.state)).toEqual(['done', 'failed', 'pending']);
    const own = Plan.of<object>().then({ name: 'x', label: 'X', hint: () => 'generic', run: async () => Promise.reject(new BerthError('Own', 'mine', 'my hint')) });
    await expect(own.run({}, () => undefined, () => undefined, new AbortController().signal)).rejects.toMatchObject({ name: 'Own', hint: 'my hint' });
  });

  it('runs nothing once aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    let ran = false;
    const plan = Plan.of<object>().then({ name: 'x', label: 'X', hint: () => '', run: async () => void (ran = true) });
    await expect(plan.run({}, () => undefined, () => undefined, abort.signal)).rejects.toBeDefined();
    expect(ran).toBe(false);
  });
});
