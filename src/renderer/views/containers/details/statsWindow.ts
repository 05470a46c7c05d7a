import type { StatsSample } from '../../../../main/api/containerDetails';

/** How many readings the charts keep: two minutes at the engine's one a second. */
export const WINDOW_POINTS = 120;

/** The charts' columns, as uPlot takes them: times in seconds, then one array per line. */
export interface StatsWindow {
  time: number[];
  cpu: number[];
  memory: number[];
  rx: number[];
  tx: number[];
  read: number[];
  write: number[];
}

export const emptyWindow = (): StatsWindow => ({ time: [], cpu: [], memory: [], rx: [], tx: [], read: [], write: [] });

/** Adds a reading and drops the oldest past `max`; the arrays are changed in place, as uPlot redraws from them. */
export function pushSample(window: StatsWindow, sample: StatsSample, max = WINDOW_POINTS): void {
  const values: Record<keyof StatsWindow, number> = {
    time: sample.time / 1000,
    cpu: sample.cpuPercent,
    memory: sample.memory.usedBytes,
    rx: sample.network.rxPerSecond,
    tx: sample.network.txPerSecond,
    read: sample.disk.readPerSecond,
    write: sample.disk.writePerSecond,
  };
  for (const key of Object.keys(values) as (keyof StatsWindow)[]) {
    const column = window[key];
    column.push(values[key]);
    if (column.length > max) column.splice(0, column.length - max);
  }
}
