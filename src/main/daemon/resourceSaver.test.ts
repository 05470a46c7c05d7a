import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContainerSummary } from '../api/containers';
import type { EngineState } from '../api/engine';
import { SETTINGS_VERSION } from '../settings/schema';
import type { Following } from './following';
import { ResourceSaver, type Idler } from './resourceSaver';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function settingsWith(idleMinutes: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-saver-'));
  dirs.push(dir);
  const file = join(dir, 'settings.json');
  writeFileSync(file, JSON.stringify({ version: SETTINGS_VERSION, resourceSaver: { idleMinutes } }));
  return file;
}

/** An engine whose containers and last client the test sets; it records each suspend asked of it. */
function engine(containers: Array<Pick<ContainerSummary, 'state'>> | null, lastClient: number): Idler & { suspends: string[] } {
  const suspends: string[] = [];
  const idler = {
    current: 'running' as EngineState,
    following: { containerList: { kept: () => containers } } as unknown as Following,
    lastClient: () => lastClient,
    suspend: async (by: string) => {
      suspends.push(by);
      idler.current = 'suspended';
    },
    suspends,
  };
  return idler;
}

describe('Resource Saver', () => {
  it('suspends an engine idle for the set minutes, and not before', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const idle = engine([{ state: 'exited' }], Date.now());
    const saver = new ResourceSaver(idle, settingsWith(1), () => undefined);
    await vi.advanceTimersByTimeAsync(45_000);
    expect(idle.suspends).toEqual([]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(idle.suspends).toEqual(['resource-saver']);
    saver.stop();
  });

  it('leaves alone an engine with a container running, one whose containers are not known yet, and every engine when off', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const long = Date.now() - 3_600_000;
    const busy = engine([{ state: 'exited' }, { state: 'running' }], long);
    const unknown = engine(null, long);
    const off = engine([], long);
    const savers = [new ResourceSaver(busy, settingsWith(1), () => undefined), new ResourceSaver(unknown, settingsWith(1), () => undefined), new ResourceSaver(off, settingsWith(0), () => undefined)];
    await vi.advanceTimersByTimeAsync(300_000);
    expect([busy.suspends, unknown.suspends, off.suspends]).toEqual([[], [], []]);
    savers.forEach((saver) => saver.stop());
  });
});
