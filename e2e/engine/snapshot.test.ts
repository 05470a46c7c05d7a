import { readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/main/settings/store';
import { berth, docker, importBusybox, newInstance, status } from '../support/berth';
import { ownCache } from '../support/ownCache';

// Its own snapshot folder (beside its own image cache), with the image the suite already built.
const cache = ownCache();
const instance = newInstance(cache.env);
const snapshots = cache.snapshots;
const daemonLog = (): string => readFileSync(join(instance.home, 'logs', 'daemon.log'), 'utf8');

async function bootDetail(): Promise<string> {
  const steps = (await status(instance)).steps as Array<{ name: string; detail?: string }>;
  return steps.find((step) => step.name === 'accelerator')?.detail ?? '';
}

/** What a fresh container sees: the guest's clock, one fresh value from its kernel's random generator, its CPU count. */
async function guestClockAndRandom(): Promise<{ skewS: number; random: string; cpus: number }> {
  const seen = await docker(instance, ['run', '--rm', 'busybox:offline', 'sh', '-c', 'date +%s; cat /proc/sys/kernel/random/uuid; nproc']);
  expect(seen.code, seen.stderr).toBe(0);
  const [clock, random, cpus] = seen.stdout.trim().split('\n');
  return { skewS: Math.abs(Number(clock) - Date.now() / 1000), random: random!, cpus: Number(cpus) };
}

async function restart(): Promise<void> {
  expect((await berth(instance, ['stop'])).code).toBe(0);
  const started = await berth(instance, ['start']);
  expect(started.code, started.stderr).toBe(0);
}

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
  cache.remove();
});

describe('starting from a memory snapshot', () => {
  beforeAll(async () => {
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
  });

  it('boots the first start, and saves the held guest for the next ones, readable by the user only', async () => {
    expect(await bootDetail()).not.toContain('snapshot');
    const files = readdirSync(snapshots).filter((name) => name.endsWith('.vmstate'));
    expect(files).toHaveLength(1);
    const saved = statSync(join(snapshots, files[0]!));
    expect(saved.mode & 0o077).toBe(0);
    expect(saved.size).toBeGreaterThan(16 << 20);
    expect((await importBusybox(instance, 'busybox:offline')).code).toBe(0);
    expect((await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'sh', '-c', 'echo still-here > /data/note'])).code).toBe(0);
  });

  it('restores the next start, with this start’s clock, fresh randomness and the data disk as it was', async () => {
    await restart();
    expect(await bootDetail()).toContain('restored from a snapshot');
    const first = await guestClockAndRandom();
    expect(first.skewS).toBeLessThan(5);
    // The daemons' placement for their start is undone on a restored start too.
    const cpus = loadSettings(join(instance.home, 'settings.json')).vm.cpus;
    expect(first.cpus).toBe(cpus);
    expect((await docker(instance, ['info', '--format', '{{.NCPU}}'])).stdout.trim()).toBe(String(cpus));
    const kept = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'cat', '/data/note']);
    expect(kept.stdout.trim(), kept.stderr).toBe('still-here');

    await restart();
    expect(await bootDetail()).toContain('restored from a snapshot');
    const second = await guestClockAndRandom();
    expect(second.skewS).toBeLessThan(5);
    expect(second.random).not.toBe(first.random);
  });

  it('boots instead when the snapshot is damaged, and saves a good one again', async () => {
    const [name] = readdirSync(snapshots).filter((file) => file.endsWith('.vmstate'));
    const file = join(snapshots, name!);
    truncateSync(file, 1 << 20);
    await restart();
    expect(await bootDetail()).not.toContain('snapshot');
    expect(daemonLog()).toMatch(/not restored, booting instead/);
    expect(statSync(file).size).toBeGreaterThan(16 << 20);
    expect((await docker(instance, ['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  });

  it('boots every time with BERTH_SNAPSHOTS=off', async () => {
    expect((await berth(instance, ['stop'])).code).toBe(0);
    const started = await berth(instance, ['start'], { BERTH_SNAPSHOTS: 'off' });
    expect(started.code, started.stderr).toBe(0);
    expect(await bootDetail()).not.toContain('snapshot');
  });
});
