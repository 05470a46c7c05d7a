// The fault bench's rounds (bench/faults.ts): each does one kind of harm to a running instance, many times,
// and returns what it measured. Every one works through what a user has: the docker CLI, `berth`, signals.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { berth, berthInBackground, docker, guestClockOff, newInstance, runPid, status, type Instance } from '../e2e/support/berth';
import { isAlive } from '../src/main/pidfile';
import { median, percentile } from './run';

export const progress = (line: string): void => void console.error(`[faults] ${line}`);
const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));
/** One GET /_ping on its own connection through the host socket: its time, or null when it failed or took over `timeoutMs`. */
export function ping(instance: Instance, timeoutMs = 2_000): Promise<number | null> {
  const began = performance.now();
  return new Promise((resolve) => {
    const req = request({ socketPath: instance.socket, path: '/_ping', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - began : null));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
    req.end();
  });
}

export interface Spread {
  errors: number;
  p50: number;
  p99: number;
}

const spread = (times: Array<number | null>): Spread => {
  const ok = times.filter((time): time is number => time !== null);
  return { errors: times.length - ok.length, p50: ok.length ? median(ok) : NaN, p99: ok.length ? percentile(ok, 99) : NaN };
};

/** `count` pings at once, then `cliCount` `docker ps` at once. */
export async function concurrency(instance: Instance, count: number, cliCount: number): Promise<{ pings: Spread; ps: Spread }> {
  const pings = spread(await Promise.all(Array.from({ length: count }, () => ping(instance, 60_000))));
  const ps = spread(
    await Promise.all(
      Array.from({ length: cliCount }, async () => {
        const began = performance.now();
        const ran = await docker(instance, ['ps', '--quiet'], { timeoutMs: 120_000 });
        return ran.code === 0 ? performance.now() - began : null;
      }),
    ),
  );
  return { pings, ps };
}

/** The times in the daemon log of the link's losses and reconnections, from line `from` on. */
function linkEvents(instance: Instance, from: number): { lost: number[]; back: number[]; lines: number } {
  const lines = readFileSync(join(instance.home, 'logs', 'daemon.log'), 'utf8').split('\n');
  const at = (line: string): number => Date.parse(line.slice(0, 24));
  const mine = lines.slice(from);
  return {
    lost: mine.filter((line) => line.includes('ssh connection lost')).map(at),
    back: mine.filter((line) => line.includes('ssh reconnected')).map(at),
    lines: lines.length,
  };
}

/**
 * Kills the link's sshd in the guest `rounds` times while `docker events` streams: how long the link takes to
 * come back (from the daemon log's own times), and what a client that retries each request once sees.
 */
export async function sshKills(instance: Instance, rounds: number): Promise<{ recoveries: number[]; clientErrors: number; requests: number; streamsEnded: number }> {
  let streamsEnded = 0;
  let streaming = true;
  const stream = (): void => {
    const events = spawn('docker', ['--host', `unix://${instance.socket}`, 'events'], { stdio: 'ignore', env: instance.env });
    events.on('exit', () => {
      if (!streaming) return;
      streamsEnded += 1;
      stream();
    });
  };
  stream();
  let clientErrors = 0;
  let requests = 0;
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      requests += 1;
      if ((await ping(instance, 5_000)) === null && (await ping(instance, 10_000)) === null) clientErrors += 1;
      await sleep(20);
    }
  })();
  const recoveries: number[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const before = linkEvents(instance, 0).lines - 1;
    const killer = await docker(instance, ['run', '-d', '--rm', '--privileged', '--pid=host', 'busybox:offline', 'sh', '-c', 'sleep 1; killall sshd-session']);
    if (killer.code !== 0) throw new Error(`the killer container did not start: ${killer.stderr}`);
    let seen = linkEvents(instance, before);
    for (const until = Date.now() + 30_000; !(seen.lost.length && seen.back.length) && Date.now() < until; seen = linkEvents(instance, before)) await sleep(100);
    if (!seen.lost.length || !seen.back.length) throw new Error(`round ${round}: the link was not lost and back within 30 s`);
    recoveries.push(seen.back[0] - seen.lost[0]);
    progress(`ssh kill ${round}/${rounds}: back in ${recoveries.at(-1)} ms`);
    await sleep(500);
  }
  pinging = false;
  streaming = false;
  await pinger;
  return { recoveries, clientErrors, requests, streamsEnded };
}

const startedAt = async (instance: Instance, id: string): Promise<string> =>
  (await docker(instance, ['inspect', '--format', '{{.State.Running}} {{.State.StartedAt}}', id])).stdout.trim();

/** SIGKILLs the daemon `rounds` times with a container running; each next `berth start` must take the VM over. */
export async function daemonKills(instance: Instance, rounds: number): Promise<{ adoptMs: number[]; survived: number }> {
  const run = await docker(instance, ['run', '-d', 'busybox:offline', 'sleep', '86400']);
  if (run.code !== 0) throw new Error(`the container did not start: ${run.stderr}`);
  const id = run.stdout.trim();
  const before = await startedAt(instance, id);
  const adoptMs: number[] = [];
  let survived = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const daemon = runPid(instance, 'daemon.pid');
    process.kill(daemon, 'SIGKILL');
    while (isAlive(daemon)) await sleep(20);
    const began = performance.now();
    const started = await berth(instance, ['start']);
    if (started.code !== 0) throw new Error(`round ${round}: berth start failed: ${started.stderr}`);
    adoptMs.push(performance.now() - began);
    if ((await startedAt(instance, id)) === before) survived += 1;
    progress(`daemon kill ${round}/${rounds}: taken over in ${Math.round(adoptMs.at(-1)!)} ms`);
  }
  await docker(instance, ['rm', '-f', id]);
  return { adoptMs, survived };
}

/**
 * SIGKILLs QEMU `rounds` times, each right after a container wrote a file on a named volume and fsynced it;
 * then starts again and reads every file written so far. Bytes lost: the size of every file that came back
 * different or not at all.
 */
export async function qemuKills(instance: Instance, rounds: number): Promise<{ lostBytes: number; starts: number; written: number }> {
  const written = new Map<string, string>();
  const size = 256 * 1024;
  let starts = 0;
  let lostBytes = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const name = `round-${round}`;
    const wrote = await docker(instance, [
      'run', '--rm', '-v', 'fault-bench:/data', 'busybox:offline', 'sh', '-c',
      `dd if=/dev/urandom of=/data/${name} bs=${size} count=1 conv=fsync 2>/dev/null && sha256sum /data/${name}`,
    ]);
    if (wrote.code !== 0) throw new Error(`round ${round}: the write failed: ${wrote.stderr}`);
    written.set(name, wrote.stdout.split(' ')[0]);
    process.kill(runPid(instance, 'qemu.pid'), 'SIGKILL');
    await sleep(500);
    const started = await berth(instance, ['start']);
    if (started.code === 0) starts += 1;
    else throw new Error(`round ${round}: the next start failed: ${started.stderr}`);
    const read = await docker(instance, ['run', '--rm', '-v', 'fault-bench:/data', 'busybox:offline', 'sh', '-c', 'cd /data && sha256sum round-*']);
    if (read.code !== 0) throw new Error(`round ${round}: the files could not be read back: ${read.stderr}`);
    const found = new Map(read.stdout.trim().split('\n').map((line) => [line.split(/\s+/)[1], line.split(/\s+/)[0]]));
    lostBytes = [...written].filter(([file, sum]) => found.get(file) !== sum).length * size;
    progress(`qemu kill ${round}/${rounds}: start ok, ${lostBytes} bytes lost so far`);
  }
  await docker(instance, ['volume', 'rm', '-f', 'fault-bench']);
  return { lostBytes, starts, written: written.size * size };
}

/** Freezes QEMU for `ms` as a sleep of the host would: whether the state said so, how long it took to recover, the guest clock after. */
export async function freeze(instance: Instance, ms: number): Promise<{ saidNotResponding: boolean; recoveryMs: number; clockOff: number }> {
  const qemu = runPid(instance, 'qemu.pid');
  process.kill(qemu, 'SIGSTOP');
  let saidNotResponding = false;
  try {
    for (const until = Date.now() + ms; Date.now() < until; ) {
      if ((await status(instance)).state === 'not-responding') saidNotResponding = true;
      await sleep(1_000);
    }
  } finally {
    process.kill(qemu, 'SIGCONT');
  }
  const resumed = performance.now();
  while ((await status(instance)).state !== 'running') {
    if (performance.now() - resumed > 60_000) throw new Error('the engine did not recover within 60 s of the freeze');
    await sleep(200);
  }
  const recoveryMs = performance.now() - resumed;
  // The clock is set once the link is back; give that its moment.
  await sleep(2_000);
  return { saidNotResponding, recoveryMs, clockOff: await guestClockOff(instance) };
}

/** Starts two daemons at once for a fresh home, `rounds` times: how often exactly one served and the other said why it left. */
export async function daemonRaces(rounds: number): Promise<number> {
  let clean = 0;
  for (let round = 1; round <= rounds; round += 1) {
    const home = newInstance();
    const daemons = [berthInBackground(home, ['daemon']), berthInBackground(home, ['daemon'])];
    const first = await Promise.race(daemons.map((daemon) => daemon.done));
    const served = (await status(home)).state === 'stopped';
    const both = await Promise.all(daemons.map((daemon) => daemon.done));
    if (first.code === 1 && /already serves/.test(first.stdout) && served && both.filter((end) => end.code === 0).length === 1) clean += 1;
  }
  return clean;
}
