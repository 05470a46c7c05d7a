import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Nudger, type NudgeOptions } from './nudge';

/** A socket's byte counters; a nudge adds a keepalive's size to what was written, its answer to what was read. */
class Counters {
  bytesRead = 0;
  bytesWritten = 0;
  nudges = 0;
  nudge = (): void => {
    this.nudges += 1;
    this.bytesWritten += 60;
  };
}

const options: NudgeOptions = { everyMs: 200, graceMs: 2_000, mode: 'adaptive' };
let nudger: Nudger | null = null;
beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  nudger?.stop();
  nudger = null;
  vi.useRealTimers();
});

/** Advances time `ms`, answering each nudge the way sshd does (a few dozen bytes back). */
function run(counters: Counters, ms: number): void {
  for (let left = ms; left > 0; left -= options.everyMs) {
    const before = counters.nudges;
    vi.advanceTimersByTime(options.everyMs);
    counters.bytesRead += 40 * (counters.nudges - before);
  }
}

describe('Nudger', () => {
  it('nudges every tick while traffic is recent, and stops once the link has been quiet for the grace time', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.nudge, options, () => performance.now());
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

  it('takes the liveness keepalive of an idle link (a few dozen bytes each way) for no traffic', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.nudge, options, () => performance.now());
    run(counters, 3_000);
    const settled = counters.nudges;
    for (let i = 0; i < 4; i += 1) {
      counters.bytesWritten += 60;
      counters.bytesRead += 40;
      run(counters, 1_000);
    }
    expect(counters.nudges).toBe(settled);
  });

  it('nudges on every tick, traffic or not, when told to always', () => {
    const counters = new Counters();
    nudger = new Nudger(counters, counters.nudge, { ...options, mode: 'always' }, () => performance.now());
    run(counters, 10_000);
    expect(counters.nudges).toBe(50);
  });
});
