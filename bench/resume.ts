// The rows of `npm run bench` for suspend and resume, and for Resource Saver's sleep and wake.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runPid, type Instance } from '../e2e/support/berth';
import { isAlive } from '../src/main/pidfile';
import { cpuPercent } from './idle';
import { loadSettings } from '../src/main/settings/store';
import { berthCommand, fmt, median, ratio, sh, type Row } from './run';


const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function must(what: string, command: string, env: NodeJS.ProcessEnv): Promise<{ stdout: string; ms: number }> {
  const done = await sh(command, env);
  if (done.code !== 0) throw new Error(`${what} failed:\n${done.stderr}`);
  return done;
}

const engineState = async (instance: Instance): Promise<{ state: string; suspended: { by: string } | null; steps: Array<{ label: string; ms: number }> }> =>
  JSON.parse((await must('berth status', `${berthCommand} status --json`, instance.env)).stdout);

/** Runs `work` with Resource Saver set to `idleMinutes`, then puts the settings file back as it was. */
async function withIdleMinutes<T>(instance: Instance, idleMinutes: number, work: () => Promise<T>): Promise<T> {
  const file = join(instance.home, 'settings.json');
  const saved = existsSync(file) ? readFileSync(file, 'utf8') : null;
  // Written whole: the settings file of a bench instance may not exist yet.
  writeFileSync(file, JSON.stringify({ ...loadSettings(file), resourceSaver: { idleMinutes } }));
  try {
    return await work();
  } finally {
    if (saved === null) rmSync(file);
    else writeFileSync(file, saved);
  }
}

/**
 * `berth start` resuming an engine suspended with three running containers (their processes must be the
 * same after), beside `restoredMs`, this run's cold start from the boot snapshot.
 */
export async function resumeRows(instance: Instance, image: string, restoredMs: number): Promise<Row[]> {
  const host = `docker -H unix://${instance.socket}`;
  const names = ['bench-frozen-1', 'bench-frozen-2', 'bench-frozen-3'];
  for (const name of names) await must('docker run', `${host} run -d --init --name ${name} ${image} sleep 100000`, instance.env);
  const pids = async (): Promise<string> => (await must('docker inspect', `${host} inspect -f '{{.State.Pid}}' ${names.join(' ')}`, instance.env)).stdout.trim();
  const before = await pids();
  const rounds: Array<{ ms: number; steps: Array<{ label: string; ms: number }> }> = [];
  let alive = true;
  for (let round = 1; round <= 3; round += 1) {
    await must('berth suspend', `${berthCommand} suspend`, instance.env);
    const { ms } = await must('berth start (resume)', `${berthCommand} start`, instance.env);
    rounds.push({ ms, steps: (await engineState(instance)).steps });
    alive &&= (await pids()) === before;
    progress(`resume ${round}/3: ${fmt(ms)}`);
  }
  await sh(`${host} rm -f ${names.join(' ')}`, instance.env);
  const times = rounds.map((each) => each.ms);
  const middle = rounds.find((each) => each.ms === median(times))!;
  return [
    {
      figure: `\`berth start\` resuming a suspended engine, 3 containers running (their processes ${alive ? 'alive' : 'NOT the same'} after)`,
      berth: fmt(median(times)),
      baseline: `restored cold start: ${fmt(restoredMs)}`,
      ratio: ratio(median(times), restoredMs),
      target: '<= 2.0 s',
    },
    // The steps of the median round: where a resume's time goes.
    ...middle.steps.filter((step) => step.ms >= 1).map((step) => ({ figure: `  step: ${step.label}`, berth: fmt(step.ms), baseline: '', ratio: '', target: '' })),
  ];
}

/**
 * Resource Saver: `docker ps` against the sleeping engine (answered without waking it) and `docker run`
 * woken by it, each beside the same command on the engine awake.
 */
export async function sleepRows(instance: Instance, image: string): Promise<Row[]> {
  const host = `docker -H unix://${instance.socket}`;
  const timed = async (command: string, times: number): Promise<number[]> => {
    const all: number[] = [];
    for (let i = 0; i < times; i += 1) all.push((await must(command, `${host} ${command}`, instance.env)).ms);
    return all;
  };
  const awakePs = median(await timed('ps', 5));
  // Read while awake: QEMU's pid file goes with it.
  const qemu = runPid(instance, 'qemu.pid');
  const awakeRun = median(await timed(`run --rm ${image} true`, 3));
  const sleeps = async (): Promise<void> => {
    for (const until = Date.now() + 120_000; Date.now() < until; ) {
      if ((await engineState(instance)).suspended?.by === 'resource-saver') return;
      await new Promise((done) => setTimeout(done, 500));
    }
    throw new Error('Resource Saver did not suspend the idle engine within 120 s');
  };
  // Three idle seconds, then asleep.
  return withIdleMinutes(instance, 0.05, async () => {
    await sleeps();
    progress('the engine sleeps');
    const [asleepCpu] = await cpuPercent([runPid(instance, 'daemon.pid')], 60);
    progress(`asleep for a minute: the daemon used ${asleepCpu.toFixed(2)}% of a core`);
    const asleepPs = median(await timed('ps', 5));
    const stillAsleep = (await engineState(instance)).state === 'suspended';
    const wokenRun = (await timed(`run --rm ${image} true`, 1))[0];
    progress(`woken by docker run in ${fmt(wokenRun)}`);
    return [
      {
        figure: `idle host CPU over 60 s, asleep (the daemon; QEMU ${isAlive(qemu) ? 'STILL RUNNING' : 'gone'})`,
        berth: `${asleepCpu.toFixed(2)}%`,
        baseline: '',
        ratio: '',
        target: '0 (only the daemon left)',
      },
      {
        figure: `\`docker ps\` against a sleeping engine (${stillAsleep ? 'it slept on' : 'it WOKE'})`,
        berth: fmt(asleepPs),
        baseline: `awake: ${fmt(awakePs)}`,
        ratio: ratio(asleepPs, awakePs),
        target: '<= 50 ms, no wake',
      },
      {
        figure: '`docker run --rm busybox true` waking a sleeping engine',
        berth: fmt(wokenRun),
        baseline: `awake: ${fmt(awakeRun)}`,
        ratio: ratio(wokenRun, awakeRun),
        target: `wake adds <= 2.5 s (adds ${fmt(wokenRun - awakeRun)})`,
      },
    ];
  });
}
