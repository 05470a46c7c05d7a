import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qemuThatResetsOnce } from '../support/faults';
import { berth, berthInBackground, docker, importBusybox, leaveStaleSocket, newInstance, processesOf, status } from '../support/berth';

const instance = newInstance();

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
});

describe('engine lifecycle', () => {
  it('refuses a second start while the first is starting, with a hint', async () => {
    const first = berthInBackground(instance, ['start']);
    await expect.poll(async () => (await status(instance)).state, { timeout: 30_000, interval: 100 }).toBe('starting');
    const second = await berth(instance, ['start']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('already starting');
    expect(second.stderr).toMatch(/hint: .*berth status/);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain(`DOCKER_HOST=unix://${instance.socket}`);
  });

  it('keeps a named volume across stop and start, reusing the built image', async () => {
    expect((await importBusybox(instance, 'busybox:offline')).code).toBe(0);
    const write = await docker(instance, ['run', '--rm', '-v', 'keep:/data', 'busybox:offline', 'sh', '-c', 'echo survived > /data/note']);
    expect(write.code, write.stderr).toBe(0);

    const stopped = await berth(instance, ['stop']);
    expect(stopped.code).toBe(0);
    expect(processesOf(instance)).toEqual([]);
    expect((await status(instance)).state).toBe('stopped');

    // A crash leaves a dead socket behind; start must clear it rather than fail.
    leaveStaleSocket(instance.socket);
    const again = await berth(instance, ['start']);
    expect(again.code, again.stderr).toBe(0);
    const image = ((await status(instance)).steps as Array<{ name: string; ms: number }>).find((step) => step.name === 'image');
    expect(image?.ms).toBeLessThan(2_000);
    const read = await docker(instance, ['run', '--rm', '-v', 'keep:/data', 'busybox:offline', 'cat', '/data/note']);
    expect(read.stdout.trim(), read.stderr).toBe('survived');
  });

  it('restarts the engine in one command, printing only the new start', async () => {
    const before = (await status(instance)).startMs;
    const restarted = await berth(instance, ['restart']);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain(`DOCKER_HOST=unix://${instance.socket}`);
    expect(restarted.stderr.match(/ok {2}Boot the VM/g)).toHaveLength(1);
    const after = await status(instance);
    expect(after.state).toBe('running');
    expect(after.startMs).not.toBe(before);
    // The printed step times are the new start's, not the previous one's.
    const boot = (after.steps as Array<{ name: string; ms: number }>).find((step) => step.name === 'accelerator');
    expect(restarted.stderr).toMatch(new RegExp(`ok {2}Boot the VM +${boot?.ms} ms`));
    const version = await docker(instance, ['version', '--format', '{{.Server.Version}}']);
    expect(version.code, version.stderr).toBe(0);
  });

  it('stops cleanly and leaves no Berth process behind', async () => {
    const stopped = await berth(instance, ['stop']);
    expect(stopped.code).toBe(0);
    expect(processesOf(instance)).toEqual([]);
    expect(existsSync(instance.socket)).toBe(false);
  });

  it('refuses to start over a file that is not its socket, and names it', async () => {
    writeFileSync(instance.socket, 'not a socket');
    const refused = await berth(instance, ['start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`${instance.socket} exists and is not a socket`);
    expect(refused.stderr).toMatch(/hint: Move or delete/);
    rmSync(instance.socket);
    await expect.poll(() => processesOf(instance), { timeout: 10_000 }).toEqual([]);
  });
});

describe('accelerator fallback', () => {
  // whpx exists only on Windows: QEMU refuses it everywhere else. (The hang path has a unit test.)
  const forced = newInstance({ BERTH_ACCEL: 'whpx' });

  afterAll(async () => {
    await berth(forced, ['stop']);
    rmSync(forced.home, { recursive: true, force: true });
  });

  it('falls back to tcg when the forced accelerator is refused, and says why', async () => {
    const started = await berth(forced, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const current = await status(forced);
    expect(current.accelerator).toBe('tcg');
    expect(current.acceleratorReason).toMatch(/fell back to tcg: whpx: qemu refused it: .+/);
    expect((await docker(forced, ['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
  });
});

describe('a guest that dies during start', () => {
  const qemu = qemuThatResetsOnce();
  const resetting = newInstance({ BERTH_QEMU: qemu });

  afterAll(async () => {
    await berth(resetting, ['stop']);
    rmSync(resetting.home, { recursive: true, force: true });
    rmSync(dirname(qemu), { recursive: true, force: true });
  });

  it('boots once more, and keeps the console of the boot that died', async () => {
    const started = await berth(resetting, ['start']);
    expect(started.code, started.stderr).toBe(0);
    expect((await status(resetting)).state).toBe('running');
    expect((await docker(resetting, ['version', '--format', '{{.Server.Version}}'])).code).toBe(0);
    const logs = join(resetting.home, 'logs');
    expect(readFileSync(join(logs, 'daemon.log'), 'utf8')).toContain('The guest kernel stopped during start. Booting it once more.');
    expect(readFileSync(join(logs, 'console.log.1'), 'utf8')).toMatch(/berth: step root[\s\S]*qemu exited \(code 0, signal null\)/);
  });
});

describe('bad input', () => {
  const bare = newInstance();

  it('rejects an unknown command with a hint', async () => {
    const result = await berth(bare, ['launch']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "launch"');
    expect(result.stderr).toContain('hint: Run `berth help`');
  });

  it('says how to install QEMU when it is missing', async () => {
    const result = await berth(bare, ['start'], { BERTH_QEMU: '/nonexistent/qemu-system-x86_64' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BERTH_QEMU=/nonexistent/qemu-system-x86_64 is not an executable file');
    expect(result.stderr).toMatch(/hint: Berth runs its VM with QEMU/);
    await expect.poll(() => processesOf(bare), { timeout: 10_000 }).toEqual([]);
    rmSync(bare.home, { recursive: true, force: true });
  });
});
