import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, berthInBackground, docker, newInstance, runPid, status, type Run } from '../support/berth';
import { guestLinkForTests, inGuest, linkClockOff } from '../support/guest';
import { sharedWithBusybox } from '../support/shared';
import { isAlive } from '../../src/main/pidfile';
import { connectDaemon } from '../../src/main/daemon/connect';
import { homePaths } from '../../src/main/home';

const shared = sharedWithBusybox();

/** Waits until `pid` has ended. */
const gone = (pid: number): Promise<void> => expect.poll(() => isAlive(pid), { timeout: 10_000, interval: 50 }).toBe(false);

describe('one daemon per home', () => {
  const instance = newInstance();
  afterAll(() => rmSync(instance.home, { recursive: true, force: true }));

  it('lets exactly one of two daemons started at once serve; the other exits saying which one serves', async () => {
    const daemons = [berthInBackground(instance, ['daemon']), berthInBackground(instance, ['daemon'])];
    const loser = await Promise.race(daemons.map((daemon) => daemon.done));
    expect(loser.code).toBe(1);
    expect(loser.stdout).toMatch(/daemon not started: Another Berth daemon \(pid \d+\) already serves .* Use that one/);
    const winnerPid = Number(/\(pid (\d+)\)/.exec(loser.stdout)![1]);
    expect(runPid(instance, 'daemon.pid')).toBe(winnerPid);
    // The winner serves: a client reaches it, and once that client leaves it exits by itself (no engine runs).
    const reached = await berth(instance, ['status', '--json']);
    expect(JSON.parse(reached.stdout).state, reached.stderr).toBe('stopped');
    const ends = await Promise.all(daemons.map((daemon) => daemon.done));
    expect(ends.map((end: Run) => end.code).sort()).toEqual([0, 1]);
    // Its control socket went with it; the losing daemon removed nothing of the winner's while it ran.
    expect(existsSync(join(instance.home, 'run', 'berth.sock'))).toBe(false);
  });
});

describe('a daemon that dies while the VM runs', () => {
  const instance = shared;

  it('is replaced by one that takes the VM over: containers run on, same process, same uptime', async () => {
    const started = await docker(instance, ['run', '-d', '--name', 'outlives-its-daemon', 'busybox:offline', 'sleep', '3600']);
    expect(started.code, started.stderr).toBe(0);
    const id = started.stdout.trim();
    const inspect = async (): Promise<string> => (await docker(instance, ['inspect', '--format', '{{.State.Running}} {{.State.Pid}} {{.State.StartedAt}}', id])).stdout.trim();
    const before = await inspect();
    expect(before).toMatch(/^true /);
    const qemu = runPid(instance, 'qemu.pid');

    const daemon = runPid(instance, 'daemon.pid');
    process.kill(daemon, 'SIGKILL');
    await gone(daemon);
    // QEMU outlives it; `berth status` starts a new daemon, which takes the VM over instead of booting one.
    expect(runPid(instance, 'qemu.pid')).toBe(qemu);
    const began = Date.now();
    const after = await status(instance);
    const tookMs = Date.now() - began;
    expect(after.state).toBe('running');
    expect((after.steps as Array<{ name: string; state: string }>).find((step) => step.name === 'adopt')?.state).toBe('done');
    expect(runPid(instance, 'qemu.pid')).toBe(qemu);
    expect(runPid(instance, 'daemon.pid')).not.toBe(daemon);
    expect(await inspect()).toBe(before);
    console.info(`took the VM over in ${tookMs} ms`);

    const removed = await docker(instance, ['rm', '-f', id]);
    expect(removed.code, removed.stderr).toBe(0);
  });

});

describe('a guest that stops answering, or falls behind the host', () => {
  const instance = shared;
  // The guest's clock is set and read over a second SSH connection: a container for each read takes seconds.
  const link = guestLinkForTests(instance);
  /** Puts the guest's clock an hour behind, as a sleep of the host leaves it. */
  const hourBehind = () => inGuest(link(), `date -s @${Math.round(Date.now() / 1000) - 3600}`);

  it('says "not responding" while the VM is frozen, recovers by itself, and sets the guest clock from the host', async () => {
    const behind = await hourBehind();
    expect(behind.code, behind.stderr).toBe(0);
    const qemu = runPid(instance, 'qemu.pid');
    process.kill(qemu, 'SIGSTOP');
    try {
      await expect.poll(async () => (await status(instance)).state, { timeout: 40_000, interval: 1_000 }).toBe('not-responding');
      const frozen = await status(instance);
      expect((frozen.error as { hint: string }).hint).toMatch(/berth restart/);
    } finally {
      process.kill(qemu, 'SIGCONT');
    }
    await expect.poll(async () => (await status(instance)).state, { timeout: 40_000, interval: 500 }).toBe('running');
    await expect.poll(() => linkClockOff(link()), { timeout: 30_000, interval: 1_000 }).toBe(0);
  });

  it('sets the guest clock from the host when the desktop app says the host resumed from sleep', async () => {
    const behind = await hourBehind();
    expect(behind.code, behind.stderr).toBe(0);
    expect(await linkClockOff(link())).toBeGreaterThan(3000);
    const connection = await connectDaemon(homePaths(instance.home), false);
    expect(connection).not.toBeNull();
    try {
      await connection!.client.invoke('engine.hostResumed', {});
    } finally {
      connection!.close();
    }
    await expect.poll(() => linkClockOff(link()), { timeout: 30_000, interval: 1_000 }).toBe(0);
  });
});
