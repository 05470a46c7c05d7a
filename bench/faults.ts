// `npm run bench:faults`: harm done to a running Berth the ways the world does it, many times over, and
// what each costs: the SSH link killed, QEMU killed mid-work, the daemon killed, a burst of clients, a full
// data disk, a frozen VM, two daemons racing. One host-only instance (a small data disk, so filling it
// is quick) and a registry on 127.0.0.1; progress goes to stderr, the table to stdout.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, importBusybox, status, type Instance } from '../e2e/support/berth';
import { startRegistry } from '../e2e/support/registry';
import { applyRegistrySettings } from '../e2e/support/registrySettings';
import { concurrency, daemonKills, daemonRaces, freeze, ping, progress, qemuKills, sshKills } from './faultRounds';
import { benchInstance, median, runBench, sh, withEngine } from './run';

type FaultRow = { figure: string; result: string; count: string; target: string; met: string };
const HEADERS: FaultRow = { figure: 'fault', result: 'result', count: 'count', target: 'target', met: 'met' };

const ROUNDS = { ssh: 20, qemu: 10, daemon: 5, races: 5, pings: 200, ps: 50, freezeMs: 30_000 };
const ms = (value: number): string => `${Math.round(value)} ms`;
const row = (figure: string, result: string, count: number | string, target = '', met = true): FaultRow => ({
  figure,
  result,
  count: String(count),
  target,
  met: target ? (met ? 'yes' : 'NO') : '',
});

/**
 * The data disk filled while the engine runs: a pull and a write fail saying so, the API keeps answering,
 * and once the filler is gone the pull works and what was on the disk before is all there.
 */
async function diskFull(instance: Instance, pullable: string): Promise<FaultRow[]> {
  const before = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'sh', '-c', 'echo still-here > /data/marker && sync']);
  if (before.code !== 0) throw new Error(`the marker write failed: ${before.stderr}`);
  progress('filling the data disk');
  await docker(instance, ['run', '--rm', '-v', 'filler:/data', 'busybox:offline', 'sh', '-c', 'dd if=/dev/zero of=/data/fill bs=1M 2>/dev/null; sync'], { timeoutMs: 600_000 });
  const write = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'sh', '-c', 'dd if=/dev/zero of=/data/more bs=1M count=64']);
  const pull = await docker(instance, ['pull', pullable]);
  const answers = (await ping(instance, 10_000)) !== null && (await docker(instance, ['ps'])).code === 0;
  const clear = (said: string): boolean => /no space left on device/i.test(said);
  progress(`full: write ${write.code === 0 ? 'succeeded?!' : 'failed'}, pull ${pull.code === 0 ? 'succeeded?!' : 'failed'}, API ${answers ? 'answers' : 'silent'}`);
  await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'rm', '-f', '/data/more']);
  const pruned = await docker(instance, ['volume', 'rm', 'filler']);
  const again = await docker(instance, ['pull', pullable]);
  const marker = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:offline', 'cat', '/data/marker']);
  const whole = marker.stdout.trim() === 'still-here';
  return [
    row('disk full while running: a write fails, saying so', write.code !== 0 && clear(write.stderr + write.stdout) ? 'refused: no space left on device' : `exit ${write.code}: ${write.stderr.trim().slice(-80)}`, 1, 'clear error', write.code !== 0 && clear(write.stderr + write.stdout)),
    row('disk full while running: a pull fails, saying so', pull.code !== 0 && clear(pull.stderr) ? 'refused: no space left on device' : `exit ${pull.code}: ${pull.stderr.trim().slice(-80)}`, 1, 'clear error', pull.code !== 0 && clear(pull.stderr)),
    row('disk full while running: the API answers', answers ? 'ping and docker ps answer' : 'no answer', 1, 'answers', answers),
    row('after a prune: the pull works, nothing lost', `${pruned.code === 0 && again.code === 0 ? 'pull ok' : 'pull failed'}, marker ${whole ? 'intact' : 'lost'}`, 1, 'all works', pruned.code === 0 && again.code === 0 && whole),
  ];
}

async function measure(): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  progress(`two daemons started at once, ${ROUNDS.races} times`);
  const races = await daemonRaces(ROUNDS.races);
  rows.push(row('two daemons started at once for one home: exactly one serves, the other says why', `${races} of ${ROUNDS.races}`, ROUNDS.races, 'all', races === ROUNDS.races));

  const registry = await startRegistry();
  const instance = benchInstance();
  writeFileSync(join(instance.home, 'settings.json'), JSON.stringify({ version: 1, vm: { diskGiB: 1 } }));
  try {
    await withEngine(instance, async () => {
      progress('engine started');
      if ((await importBusybox(instance, 'busybox:offline')).code !== 0) throw new Error('docker import failed');
      await applyRegistrySettings(instance, { certificates: [], insecure: [registry.fromGuest] });
      // An image with a layer of its own in the registry, so a pull has something to write (the build cache,
      // which would still hold that layer, is emptied).
      const pullable = `${registry.fromGuest}/bench/pullable:1`;
      const made = await sh(`printf 'FROM busybox:offline\\nRUN dd if=/dev/urandom of=/payload bs=1M count=8\\n' | docker --host unix://${instance.socket} build -q -t ${pullable} - && docker --host unix://${instance.socket} push -q ${pullable} && docker --host unix://${instance.socket} rmi ${pullable} && docker --host unix://${instance.socket} builder prune -af >/dev/null`, instance.env);
      if (made.code !== 0) throw new Error(`the pullable image was not made: ${made.stderr}`);

      progress(`${ROUNDS.pings} pings and ${ROUNDS.ps} docker ps at once`);
      const burst = await concurrency(instance, ROUNDS.pings, ROUNDS.ps);
      rows.push(row(`${ROUNDS.pings} concurrent GET /_ping: errors; p50 / p99`, `${burst.pings.errors}; ${ms(burst.pings.p50)} / ${ms(burst.pings.p99)}`, ROUNDS.pings, '0 errors', burst.pings.errors === 0));
      rows.push(row(`${ROUNDS.ps} concurrent docker ps: errors; p50 / p99`, `${burst.ps.errors}; ${ms(burst.ps.p50)} / ${ms(burst.ps.p99)}`, ROUNDS.ps, '0 errors', burst.ps.errors === 0));

      const ssh = await sshKills(instance, ROUNDS.ssh);
      const worst = Math.max(...ssh.recoveries);
      rows.push(row('SSH link killed while docker events streams: back in p50 / max', `${ms(median(ssh.recoveries))} / ${ms(worst)}`, ROUNDS.ssh, 'max <= 5 s', worst <= 5_000));
      rows.push(row('SSH link killed: requests failing twice for a client that retries once', `${ssh.clientErrors} of ${ssh.requests}`, ssh.requests, '0', ssh.clientErrors === 0));
      rows.push(row('SSH link killed: docker events streams ended (the CLI then exits)', String(ssh.streamsEnded), ROUNDS.ssh));

      const daemons = await daemonKills(instance, ROUNDS.daemon);
      rows.push(row('daemon SIGKILLed, container running: still running after berth start', `${daemons.survived} of ${ROUNDS.daemon}`, ROUNDS.daemon, 'all', daemons.survived === ROUNDS.daemon));
      rows.push(row('daemon SIGKILLed: berth start taking the VM over, p50 / max', `${ms(median(daemons.adoptMs))} / ${ms(Math.max(...daemons.adoptMs))}`, ROUNDS.daemon));

      progress(`freezing the VM for ${ROUNDS.freezeMs / 1000} s`);
      const frozen = await freeze(instance, ROUNDS.freezeMs);
      rows.push(row(`VM frozen ${ROUNDS.freezeMs / 1000} s: state said "not-responding"`, frozen.saidNotResponding ? 'yes' : 'no', 1, 'yes', frozen.saidNotResponding));
      rows.push(row(`VM frozen ${ROUNDS.freezeMs / 1000} s: recovered by itself after`, ms(frozen.recoveryMs), 1));
      rows.push(row(`VM frozen ${ROUNDS.freezeMs / 1000} s: guest clock off the host afterwards`, `${frozen.clockOff.toFixed(1)} s`, 1, '<= 1 s', frozen.clockOff <= 1));

      const qemu = await qemuKills(instance, ROUNDS.qemu);
      rows.push(row('QEMU SIGKILLed after an fsynced write: bytes lost', `${qemu.lostBytes} of ${qemu.written}`, ROUNDS.qemu, '0', qemu.lostBytes === 0));
      rows.push(row('QEMU SIGKILLed: the next start succeeded', `${qemu.starts} of ${ROUNDS.qemu}`, ROUNDS.qemu, 'all', qemu.starts === ROUNDS.qemu));

      rows.push(...(await diskFull(instance, pullable)));
      const last = await status(instance);
      progress(`done; engine ${last.state}`);
    });
  } finally {
    await registry.stop();
  }
  return rows;
}

runBench(measure, HEADERS);
