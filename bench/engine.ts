// `npm run bench`: the engine's figures, each beside a baseline measured in the same run.
import { rmSync } from 'node:fs';
import { importBusybox } from '../e2e/support/berth';
import { freePort } from '../src/main/daemon/startBase';
import { idleRows } from './idle';
import { diskRows, memoryRows } from './memory';
import { alternatingPings } from './ping';
import { resumeRows, sleepRows } from './resume';
import { benchInstance, berthCommand, fmt, median, percentile, ratio, runBench, sh, type Row } from './run';


interface StartFigure {
  ms: number;
  steps: Array<{ name: string; label: string; ms: number; detail?: string }>;
}

/** `berth start` from the command line to its return, with the daemon's named steps. */
async function timedStart(env: NodeJS.ProcessEnv): Promise<StartFigure> {
  const started = await sh(`${berthCommand} start`, env);
  if (started.code !== 0) throw new Error(`berth start failed:\n${started.stderr}`);
  const status = JSON.parse((await sh(`${berthCommand} status --json`, env)).stdout);
  return { ms: started.ms, steps: status.steps };
}

const restored = (figure: StartFigure): boolean => figure.steps.some((step) => step.name === 'accelerator' && step.detail?.includes('snapshot'));

/** The cold starts' rows; returns the restored start's time, the baseline of the resume. */
async function coldStarts(rows: Row[]): Promise<number> {
  // An ordinary installation, as a user has it (the image is built and cached by recipe).
  const plain = benchInstance();
  try {
    const first = await timedStart(plain.env);
    await sh(`${berthCommand} stop`, plain.env);
    const again = await timedStart(plain.env);
    await sh(`${berthCommand} stop`, plain.env);
    // The baseline of this run: the same start, booting the guest instead of restoring its snapshot.
    const booted = await timedStart({ ...plain.env, BERTH_SNAPSHOTS: 'off' });
    const how = (figure: StartFigure): string => (restored(figure) ? 'restored' : 'booted');
    const figures = [
      [`first start (new data disk, ${how(first)})`, first, 'naive guest ~18 s (DESIGN.md)', 18_000],
      [`start (existing data disk, ${how(again)})`, again, `booted: ${fmt(booted.ms)}`, booted.ms],
      ['start (existing data disk, booted: BERTH_SNAPSHOTS=off)', booted, 'naive guest ~18 s (DESIGN.md)', 18_000],
    ] as const;
    for (const [label, figure, baseline, baseMs] of figures) {
      rows.push({ figure: `cold \`berth start\` to Docker API: ${label}`, berth: fmt(figure.ms), baseline, ratio: ratio(figure.ms, baseMs), target: '<= 10 s' });
      for (const step of figure.steps) rows.push({ figure: `  step: ${step.label}`, berth: fmt(step.ms), baseline: '', ratio: '', target: '' });
    }
    rows.push(await arm64Start(booted.ms));
    return again.ms;
  } finally {
    await sh(`${berthCommand} stop`, plain.env);
    rmSync(plain.home, { recursive: true, force: true });
  }
}

/**
 * The arm64 guest's booted start, emulated on this x86_64 host (tcg), beside the x86_64 guest's booted start
 * of the same run: a figure to track, with no target (an Apple silicon Mac runs it under hvf).
 */
async function arm64Start(amd64BootedMs: number): Promise<Row> {
  const arm = benchInstance();
  const env = { ...arm.env, BERTH_ARCH: 'arm64', BERTH_SNAPSHOTS: 'off' };
  try {
    console.error('bench: the arm64 guest image (built once, cached by recipe)');
    const built = await sh(`${berthCommand} image build --arch arm64`, env);
    if (built.code !== 0) throw new Error(`berth image build --arch arm64 failed:\n${built.stderr}`);
    // As the x86_64 row it stands beside: an existing data disk, the guest booted.
    console.error('bench: the arm64 guest\'s first start (a new data disk), then its cold start under tcg');
    await timedStart(env);
    await sh(`${berthCommand} stop`, env);
    const figure = await timedStart(env);
    return {
      figure: 'cold `berth start` to Docker API: arm64 guest under tcg (existing data disk, booted)',
      berth: fmt(figure.ms),
      baseline: `x86_64 guest booted: ${fmt(amd64BootedMs)}`,
      ratio: ratio(figure.ms, amd64BootedMs),
      target: '(tracked)',
    };
  } finally {
    await sh(`${berthCommand} stop`, env);
    rmSync(arm.home, { recursive: true, force: true });
  }
}

runBench(async () => {
  const rows: Row[] = [];
  const restoredMs = await coldStarts(rows);
  // The start rows alone (both guests' cold starts), for a quick look after a change to the start.
  if (process.env.BERTH_BENCH_ONLY === 'starts') return rows;
  await idleRows(rows);
  const directPort = await freePort();
  // Only here: dockerd also listens on TCP in the guest, forwarded by QEMU, as the direct baseline.
  const instance = benchInstance({ BERTH_BENCH_DIRECT_PORT: String(directPort) });
  const host = `unix://${instance.socket}`;
  const direct = `tcp://127.0.0.1:${directPort}`;
  try {
    await timedStart(instance.env);
    const { socket: viaSocket, direct: viaDirect } = await alternatingPings({ socketPath: instance.socket }, { host: '127.0.0.1', port: directPort }, 8);
    rows.push({ figure: 'GET /_ping p50 (host socket vs direct TCP)', berth: fmt(median(viaSocket)), baseline: fmt(median(viaDirect)), ratio: ratio(median(viaSocket), median(viaDirect)), target: '<= 1.5x' });
    rows.push({ figure: 'GET /_ping p95', berth: fmt(percentile(viaSocket, 95)), baseline: fmt(percentile(viaDirect, 95)), ratio: ratio(percentile(viaSocket, 95), percentile(viaDirect, 95)), target: '' });

    // A 200 MB image of random bytes (so nothing compresses it away), made on the host.
    const made = await sh(
      `d=$(mktemp -d) && head -c 200000000 /dev/urandom > "$d/blob" && tar -C "$d" -c blob | docker -H ${host} import - bench:200mb && rm -rf "$d"`,
      instance.env,
    );
    if (made.code !== 0) throw new Error(`making the 200 MB image failed: ${made.stderr}`);
    const saves = async (target: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 3; i += 1) times.push((await sh(`docker -H ${target} save bench:200mb > /dev/null`, instance.env)).ms);
      return median(times);
    };
    const saveSocket = await saves(host);
    const saveDirect = await saves(direct);
    const mbps = (ms: number): number => 200 / (ms / 1000);
    rows.push({ figure: '`docker save` 200 MB throughput', berth: `${mbps(saveSocket).toFixed(1)} MB/s`, baseline: `${mbps(saveDirect).toFixed(1)} MB/s`, ratio: ratio(mbps(saveSocket), mbps(saveDirect)), target: '>= 0.5x' });

    const imported = await importBusybox(instance, 'bench:busybox');
    if (imported.code !== 0) throw new Error(`importing busybox failed: ${imported.stderr}`);
    const runs: number[] = [];
    for (let i = 0; i < 5; i += 1) runs.push((await sh(`docker -H ${host} run --rm bench:busybox true`, instance.env)).ms);
    // The same command inside the guest, timed there: a privileged helper enters the guest's namespaces.
    const inGuest = await sh(
      `docker -H ${host} run --rm --privileged --pid=host bench:busybox nsenter -t 1 -m -u -i -n -p sh -c ` +
        `'for i in 1 2 3 4 5; do a=$(cut -d" " -f1 /proc/uptime); docker run --rm bench:busybox true; ` +
        `b=$(cut -d" " -f1 /proc/uptime); busybox awk -v a=$a -v b=$b "BEGIN { print (b - a) * 1000 }"; done'`,
      instance.env,
    );
    const guestRuns = inGuest.stdout.trim().split('\n').map(Number).filter((n) => n > 0);
    if (guestRuns.length === 0) throw new Error(`in-guest docker run failed: ${inGuest.stderr}`);
    rows.push({ figure: '`docker run --rm busybox true` (host CLI vs in guest)', berth: fmt(median(runs)), baseline: fmt(median(guestRuns)), ratio: ratio(median(runs), median(guestRuns)), target: '<= 1.2x' });
    rows.push(...(await memoryRows(instance, 'bench:busybox')));
    rows.push(...(await diskRows(instance)));
    rows.push(...(await resumeRows(instance, 'bench:busybox', restoredMs)));
    rows.push(...(await sleepRows(instance, 'bench:busybox')));
  } finally {
    await sh(`${berthCommand} stop`, instance.env);
    rmSync(instance.home, { recursive: true, force: true });
  }
  return rows;
});
