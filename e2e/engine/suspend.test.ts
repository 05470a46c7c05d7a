import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, docker, runPid, status, testShares, writeSettings } from '../support/berth';
import { linkClockOff, guestLink } from '../support/guest';
import { freePort } from '../../src/main/daemon/startBase';
import { isAlive } from '../../src/main/pidfile';
import { loadSettings } from '../../src/main/settings/store';
import { sharedWithBusybox } from '../support/shared';

const instance = sharedWithBusybox();
const suspended = join(instance.home, 'suspended');
const names = ['sus-web', 'sus-sleep', 'sus-share', 'sus-given-up'];

const inspect = async (name: string): Promise<{ pid: number; startedAt: string; running: boolean }> => {
  const said = await docker(instance, ['inspect', '-f', '{{.State.Pid}} {{.State.StartedAt}} {{.State.Running}}', name]);
  expect(said.code, said.stderr).toBe(0);
  const [pid, startedAt, running] = said.stdout.trim().split(' ');
  return { pid: Number(pid), startedAt, running: running === 'true' };
};

const fetchPage = async (port: number): Promise<string> => (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) })).text();

const daemonLog = (): string => readFileSync(join(instance.home, 'logs', 'daemon.log'), 'utf8');

afterAll(async () => {
  // Whatever a failed test left: the next files get a running engine.
  if (((await status(instance)).state as string) === 'suspended') await berth(instance, ['start']);
  await docker(instance, ['rm', '-f', ...names]);
});

describe('berth suspend', () => {
  it('freezes the running containers and the next start resumes them: same processes, ports, shares and clock', async () => {
    const port = await freePort();
    const shareDir = mkdtempSync(join(testShares(), 'suspend-'));
    writeFileSync(join(shareDir, 'note'), 'from the host\n');
    const page = 'busybox mkdir /www && echo before the suspend > /www/index.html && exec httpd -f -p 80 -h /www';
    for (const args of [
      ['run', '-d', '--name', 'sus-web', '-p', `127.0.0.1:${port}:80`, 'busybox:offline', 'sh', '-c', page],
      ['run', '-d', '--name', 'sus-sleep', 'busybox:offline', 'sleep', '100000'],
      // --init: sleep as PID 1 ignores SIGTERM, and the suspend's stop would wait out its 10 s.
      ['run', '-d', '--init', '--name', 'sus-share', '-v', `${shareDir}:/shared`, 'busybox:offline', 'sleep', '100000'],
    ]) {
      const ran = await docker(instance, args);
      expect(ran.code, ran.stderr).toBe(0);
    }
    await expect.poll(() => fetchPage(port).catch(() => ''), { timeout: 20_000 }).toContain('before the suspend');
    const before = { web: await inspect('sus-web'), sleep: await inspect('sus-sleep'), share: await inspect('sus-share') };
    const qemu = runPid(instance, 'qemu.pid');

    const done = await berth(instance, ['suspend']);
    expect(done.code, done.stderr).toBe(0);
    // The container that binds a shared folder is named: it is stopped for the suspend, and started again after.
    expect(done.stderr).toMatch(/stopped for the suspend.*sus-share/);
    const current = (await status(instance)) as { state: string; suspended: { by: string; stoppedForShares: string[] } };
    expect(current.state).toBe('suspended');
    expect(current.suspended).toMatchObject({ by: 'user', stoppedForShares: ['sus-share'] });
    expect(isAlive(qemu)).toBe(false);
    // The saved VM is the user's alone.
    expect(statSync(suspended).mode & 0o777).toBe(0o700);
    expect(statSync(join(suspended, 'vm.state')).mode & 0o777).toBe(0o600);

    // Meanwhile the lists are answered from what the suspend kept; anything else says how to resume.
    const listed = await docker(instance, ['ps', '--format', '{{.Names}}']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['sus-web', 'sus-sleep']));
    const images = await docker(instance, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout).toContain('busybox:offline');
    const refused = await docker(instance, ['run', '--rm', 'busybox:offline', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('suspended: resume it with `berth start`');

    // The guest's clock stands still while it is saved: long enough here that a resume which did not set it
    // would leave it seconds behind.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const resumed = await berth(instance, ['start']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // Resumed, not booted instead (the daemon log would say why), going on with the SSH session it had.
    expect(resumed.stderr).toMatch(/ok +Resume the VM/);
    expect(resumed.stderr).toMatch(/ok +Connect over SSH .*the session kept through the suspend/);
    expect(daemonLog()).not.toContain('could not resume');
    expect(existsSync(join(suspended, 'vm.state'))).toBe(false);
    // Same processes, same start time: they ran on.
    expect(await inspect('sus-web')).toEqual(before.web);
    expect(await inspect('sus-sleep')).toEqual(before.sleep);
    const share = await inspect('sus-share');
    expect(share.running).toBe(true);
    expect(share.startedAt).not.toBe(before.share.startedAt);
    const note = await docker(instance, ['exec', 'sus-share', 'cat', '/shared/note']);
    expect(note.stdout).toBe('from the host\n');
    expect(await fetchPage(port)).toContain('before the suspend');
    const link = await guestLink(instance);
    try {
      expect(await linkClockOff(link)).toBeLessThan(2);
    } finally {
      link.close();
    }
    rmSync(shareDir, { recursive: true, force: true });
  });

  it('a daemon that exits while suspended leaves the engine suspended, and the next one resumes it over a new SSH session', async () => {
    const before = await inspect('sus-sleep');
    expect((await berth(instance, ['suspend'])).code).toBe(0);
    const daemon = runPid(instance, 'daemon.pid');
    process.kill(daemon, 'SIGTERM');
    await expect.poll(() => isAlive(daemon), { timeout: 20_000 }).toBe(false);
    expect(existsSync(join(suspended, 'vm.state'))).toBe(true);
    const resumed = await berth(instance, ['start']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/ok +Resume the VM/);
    // The session went with the old daemon: the guest's sshd saw its host leave, and the next one answered.
    expect(resumed.stderr).not.toContain('the session kept');
    expect(await inspect('sus-sleep')).toEqual(before);
  });

  it('boots instead, losing nothing on the data disk, when the saved state does not load', async () => {
    const wrote = await docker(instance, ['run', '--rm', '-v', 'sus-kept:/data', 'busybox:offline', 'sh', '-c', 'echo kept > /data/file && sync']);
    expect(wrote.code, wrote.stderr).toBe(0);
    const done = await berth(instance, ['suspend']);
    expect(done.code, done.stderr).toBe(0);
    // A state cut short, as a full disk or a crash would leave it.
    truncateSync(join(suspended, 'vm.state'), 4096);
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
    expect(daemonLog()).toMatch(/could not resume the suspended VM \(.*\); booting a new one/);
    expect(existsSync(join(suspended, 'vm.state'))).toBe(false);
    const read = await docker(instance, ['run', '--rm', '-v', 'sus-kept:/data', 'busybox:offline', 'cat', '/data/file']);
    expect(read.stdout).toBe('kept\n');
    await docker(instance, ['volume', 'rm', 'sus-kept']);
  });

  it('refuses a saved state whose machine changed since, saying what changed, and boots; stop gives a suspended engine up', async () => {
    const settingsFile = join(instance.home, 'settings.json');
    const settings = existsSync(settingsFile) ? readFileSync(settingsFile, 'utf8') : null;
    const done = await berth(instance, ['suspend']);
    expect(done.code, done.stderr).toBe(0);
    try {
      const changed = loadSettings(settingsFile);
      writeSettings(instance, { ...changed, vm: { ...changed.vm, memoryMiB: changed.vm.memoryMiB + 256 } });
      const started = await berth(instance, ['start']);
      expect(started.code, started.stderr).toBe(0);
      expect(daemonLog()).toContain("the suspended VM depends on the machine's shape (CPUs, memory, network, shared folders), which changed since it was suspended");
      expect(existsSync(join(suspended, 'vm.state'))).toBe(false);

      // Stopping keeps its meaning while suspended: the saved VM is given up and its containers are stopped.
      const ran = await docker(instance, ['run', '-d', '--name', 'sus-given-up', 'busybox:offline', 'sleep', '100000']);
      expect(ran.code, ran.stderr).toBe(0);
      expect((await berth(instance, ['suspend'])).code).toBe(0);
      const stopped = await berth(instance, ['stop']);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(existsSync(join(suspended, 'vm.state'))).toBe(false);
    } finally {
      if (settings) writeFileSync(settingsFile, settings);
      else rmSync(settingsFile);
    }
    // Back to the shared instance's own shape for the files after this one.
    const restarted = await berth(instance, ['start']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect((await inspect('sus-given-up')).running).toBe(false);
  });

  it('Resource Saver suspends an idle engine, answers the lists while it sleeps, and wakes for anything else', async () => {
    const settingsFile = join(instance.home, 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
    await docker(instance, ['rm', '-f', ...names]);
    // A tenth of a minute: the engine has no container running, and nobody uses its socket meanwhile.
    writeSettings(instance, { ...settings, resourceSaver: { idleMinutes: 0.1 } });
    try {
      await expect
        .poll(async () => ((await status(instance)) as { suspended: { by: string } | null }).suspended?.by ?? null, { timeout: 60_000, interval: 2_000 })
        .toBe('resource-saver');
      writeSettings(instance, settings);
      const listed = await docker(instance, ['ps', '-a', '--format', '{{.Names}}']);
      expect(listed.code, listed.stderr).toBe(0);
      const volumes = await docker(instance, ['volume', 'ls']);
      expect(volumes.code, volumes.stderr).toBe(0);
      expect((await status(instance)).state).toBe('suspended');
      // Anything else wakes it, and is served once it is up.
      const ran = await docker(instance, ['run', '--rm', 'busybox:offline', 'echo', 'woken']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toBe('woken\n');
      expect((await status(instance)).state).toBe('running');
    } finally {
      writeSettings(instance, settings);
    }
  });
});
