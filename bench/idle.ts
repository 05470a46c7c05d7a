// What an awake engine that nobody uses costs the host: QEMU's and the daemon's CPU over a quiet minute.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { runPid, type Instance } from '../e2e/support/berth';
import { benchInstance, berthCommand, ratio, sh, type Row } from './run';

const progress = (line: string): void => void console.error(`[idle] ${line}`);

/** The CPU time a process has used, all its threads, in clock ticks (utime + stime of each). */
function ticksOf(pid: number): number {
  let ticks = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      // The fields after the command name, which may itself hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the thread ended while we looked: its time is in neither reading, so the window misses it
    }
  }
  return ticks;
}

/** Linux's USER_HZ: /proc counts CPU time in these on every architecture Berth runs on. */
const TICKS_PER_SECOND = 100;

/** Each pid's CPU over `seconds`, in % of one core, all threads counted. */
export async function cpuPercent(pids: number[], seconds: number): Promise<number[]> {
  const before = pids.map(ticksOf);
  await new Promise((done) => setTimeout(done, seconds * 1000));
  return pids.map((pid, index) => ((ticksOf(pid) - before[index]) / TICKS_PER_SECOND / seconds) * 100);
}

/** How long after the last request the link nudges the guest (tunnel/link.ts SERIAL_NUDGE), with a margin. */
const SETTLE_SECONDS = 40;
const WINDOW_SECONDS = 60;

interface IdleFigure {
  qemu: number;
  daemon: number;
}

/** Starts the engine, leaves it alone until it settles, then measures a quiet minute. */
async function idleMinute(instance: Instance, label: string): Promise<IdleFigure> {
  const started = await sh(`${berthCommand} start`, instance.env);
  if (started.code !== 0) throw new Error(`berth start failed:\n${started.stderr}`);
  try {
    progress(`${label}: started; settling ${SETTLE_SECONDS} s, then measuring ${WINDOW_SECONDS} s`);
    await new Promise((done) => setTimeout(done, SETTLE_SECONDS * 1000));
    const [qemu, daemon] = await cpuPercent([runPid(instance, 'qemu.pid'), runPid(instance, 'daemon.pid')], WINDOW_SECONDS);
    progress(`${label}: QEMU ${qemu.toFixed(2)}%, daemon ${daemon.toFixed(2)}%`);
    return { qemu, daemon };
  } finally {
    await sh(`${berthCommand} stop`, instance.env);
  }
}

const pct = (value: number): string => `${value.toFixed(2)}%`;

/**
 * Rows for `npm run bench`: an idle, awake engine's host CPU, beside the same engine whose link sends a
 * keepalive every 200 ms whether it is used or not (BERTH_BENCH_SERIAL_NUDGE=always), as it did before.
 */
export async function idleRows(rows: Row[]): Promise<void> {
  const instance = benchInstance();
  try {
    const now = await idleMinute(instance, 'adaptive link');
    const before = await idleMinute({ ...instance, env: { ...instance.env, BERTH_BENCH_SERIAL_NUDGE: 'always' } }, 'keepalive every 200 ms');
    const total = (figure: IdleFigure): number => figure.qemu + figure.daemon;
    rows.push({
      figure: `idle host CPU over ${WINDOW_SECONDS} s, awake (QEMU + daemon, all threads; % of one core)`,
      berth: pct(total(now)),
      baseline: `${pct(total(before))} (keepalive every 200 ms)`,
      ratio: ratio(total(now), total(before)),
      target: '<= 1% of a core',
    });
    rows.push({ figure: '  QEMU alone', berth: pct(now.qemu), baseline: pct(before.qemu), ratio: ratio(now.qemu, before.qemu), target: '' });
    rows.push({ figure: '  daemon alone', berth: pct(now.daemon), baseline: pct(before.daemon), ratio: ratio(now.daemon, before.daemon), target: '' });
  } finally {
    rmSync(instance.home, { recursive: true, force: true });
  }
}
