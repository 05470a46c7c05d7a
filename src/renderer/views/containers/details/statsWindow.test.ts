import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../../../main/api/containerDetails';
import { emptyWindow, pushSample } from './statsWindow';

const sample = (second: number): StatsSample => ({
  time: second * 1000,
  cpuPercent: second,
  memory: { usedBytes: second * 10, limitBytes: 100 },
  network: { rxBytes: 0, txBytes: 0, rxPerSecond: 1, txPerSecond: 2 },
  disk: { readBytes: 0, writeBytes: 0, readPerSecond: 3, writePerSecond: 4 },
  pids: 1,
});

describe('the stats window', () => {
  it('keeps the newest readings only, every column the same length', () => {
    const window = emptyWindow();
    for (let second = 1; second <= 10; second += 1) pushSample(window, sample(second), 4);
    expect(window.time).toEqual([7, 8, 9, 10]);
    expect(window.cpu).toEqual([7, 8, 9, 10]);
    expect(window.memory).toEqual([70, 80, 90, 100]);
    expect(new Set(Object.values(window).map((column) => column.length))).toEqual(new Set([4]));
  });
});
