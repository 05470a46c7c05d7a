import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Nudger, type NudgeOptions } from './nudge';

/** A socket's byte counters; a nudge adds a keepalive's size to what was written, its answer to what was read. */
class Counters {
  bytesRead = 0;
  bytesWritten = 0;
  nudges = 0;
  silent = 0;
  readonly actions = {
    nudge: (): void => {
      this.nudges += 1;
      this.bytesWritten += 60;
    },
    silent: (): void => void (this.silent += 1),
  };
}

const options: NudgeOptions = { everyMs: 200, graceMs: 2_000, mode: 'adaptive', aliveMs: 5_000, silentMs: 15_000 };
let nudger: Nudger | null = null;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  nudger?.stop();
  nudger = null;
  vi.useRealTimers();
});

/** Advances time `ms`, answering each nudge the way sshd does (a few dozen bytes back), unless the guest is `silent`. */
function run(counters: Counters, ms: number, { silent = false } = {}): void {
  for (let left = ms; left > 0; left -= options.everyMs) {
    const before = counters.nudges;
    vi.advanceTimersByTime(options.everyMs);
    if (!silent) counters.bytesRead += 40 * (counters.nudges - before);
  }
}

describe('Nudger', () => {
  it('nudges every tick while traffic is recent, and stops once the link has been quiet for the grace time', () => {
    const counters = new Counters();
    // No liveness keepalive within this test's time: only the nudges for traffic count.
    nudger = new Nudger(counters, counters.actions, { ...options, aliveMs: 60_000, silentMs: 120_000 }, () => performance.now());
    run(counters, 1_000);
    const whileFresh = counters.nudges;
    expect(whileFresh).toBe(5);
    // Its own nudges and their answers are not traffic: after the grace time nothing more goes out.
    run(counters, 3_000);
    const settled = counters.nudges;
    run(counters, 5_000);
    expect(counters.nudges).toBe(settled);
    expect(settled).toBeLessThanOrEqual(10);

    // A request (a few hundred bytes written) starts the nudges again, and so does a reply read.
    counters.bytesWritten += 300;
    run(counters, 1_000);
    expect(counters.nudges - settled).toBe(5);
    run(counters, 5_000);
    const again = counters.nudges;
    counters.bytesRead += 4_000;
    run(counters, 400);
    expect(counters.nudges - again).toBe(2);
  });

  it('keeps an idle link alive with one nudge every aliveMs, and takes those and their answers for no traffic', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.actions, options, () => performance.now());
    run(counters, 3_000);
    const settled = counters.nudges;
    run(counters, 20_000);
    expect(counters.nudges - settled).toBe(4);
    expect(counters.silent).toBe(0);
  });

  it('says the guest is gone once it has answered nothing for silentMs, and stops', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.actions, options, () => performance.now());
    run(counters, 3_000);
    run(counters, 14_000, { silent: true });
    expect(counters.silent).toBe(0);
    run(counters, 2_000, { silent: true });
    expect(counters.silent).toBe(1);
    const after = counters.nudges;
    run(counters, 20_000, { silent: true });
    expect(counters.nudges).toBe(after);
    expect(counters.silent).toBe(1);
  });

  it('nudges on every tick, traffic or not, when told to always', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.actions, { ...options, mode: 'always' }, () => performance.now());
    run(counters, 10_000);
    expect(counters.nudges).toBe(50);
  });
});
