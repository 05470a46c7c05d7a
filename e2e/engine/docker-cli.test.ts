import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { berth, docker, importForeignBusybox, status } from '../support/berth';
import { guestLink, inGuest } from '../support/guest';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();

describe('the docker CLI through Berth', () => {
  it('reports a running engine with its Docker host and accelerator', async () => {
    const current = await status(instance);
    expect(current.state).toBe('running');
    expect(current.dockerHost).toBe(`unix://${instance.socket}`);
    expect(['kvm', 'hvf', 'whpx', 'tcg']).toContain(current.accelerator);
    expect(typeof current.acceleratorReason).toBe('string');
    expect(current.startMs).toBeGreaterThan(0);
    expect(current.network).toBe('host-only');
  });

  it('reports the versions of the engine it runs, as the engine itself gives them', async () => {
    const engine = JSON.parse((await docker(instance, ['version', '--format', '{{json .Server}}'])).stdout);
    // They are read just after the engine counts as running, and published when they come.
    await expect
      .poll(async () => (await status(instance)).versions, { timeout: 10_000 })
      .toMatchObject({ docker: engine.Version, api: engine.ApiVersion, kernel: engine.KernelVersion });
  });

  it('answers `docker version` through the host socket and through the berth context', async () => {
    for (const viaContext of [false, true]) {
      const version = await docker(instance, ['version', '--format', '{{.Server.Version}} {{.Server.Os}}'], { viaContext });
      expect(version.stderr).toBe('');
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+\S* linux$/);
    }
  });

  it('keeps the socket, its folder and the private key to the user alone', () => {
    expect(statSync(instance.socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(instance.home, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(join(instance.home, 'ssh', 'id_ed25519')).mode & 0o777).toBe(0o600);
    expect(statSync(join(instance.home, 'run', 'berth.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(join(instance.home, 'run', 'ssh.sock')).isSocket()).toBe(true);
  });

  it("carries Berth's SSH link on the guest's virtio-serial port", async () => {
    // The name of every process in the guest that holds a virtio-serial port open, asked over a second SSH
    // connection (on TCP, so its own session holds no such port).
    const link = await guestLink(instance);
    const found = await inGuest(link, 'for f in $(find /proc/[0-9]*/fd -lname "/dev/vport*" 2>/dev/null); do cat ${f%/fd/*}/comm; done').finally(() => link.close());
    expect(found.code, found.stderr).toBe(0);
    expect(found.stdout.split('\n')).toContain('sshd-session');
  });

  it('runs a container, reads its output and logs, and execs into it', async () => {
    const name = `cli-${Date.now()}`;
    const once = await docker(instance, ['run', '--rm', 'busybox:offline', 'echo', 'hello from berth']);
    expect(once.stdout.trim()).toBe('hello from berth');

    const started = await docker(instance, ['run', '-d', '--name', name, 'busybox:offline', 'sh', '-c', 'echo logged line; sleep 300'], {
      viaContext: true,
    });
    expect(started.code).toBe(0);
    await expect.poll(async () => (await docker(instance, ['logs', name])).stdout, { timeout: 10_000 }).toContain('logged line');
    const exec = await docker(instance, ['exec', name, 'sh', '-c', 'echo $((6 * 7))']);
    expect(exec.stdout.trim()).toBe('42');
    expect((await docker(instance, ['rm', '-f', name])).code).toBe(0);
  });

  it("runs arm64 and arm/v7 images through the guest's qemu-user", async () => {
    const cases = [
      { arch: 'arm64', platform: 'linux/arm64', machine: 'aarch64' },
      { arch: 'armhf', platform: 'linux/arm/v7', machine: 'armv7l' },
    ] as const;
    for (const { arch, platform, machine } of cases) {
      const tag = `busybox-${arch}:offline`;
      const imported = await importForeignBusybox(instance, arch, tag);
      expect(imported.code, imported.stderr).toBe(0);
      const inspected = await docker(instance, ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', tag]);
      expect(inspected.stdout.trim()).toBe(platform.split('/').slice(0, 2).join('/'));
      const ran = await docker(instance, ['run', '--rm', '--platform', platform, tag, 'uname', '-m']);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout.trim()).toBe(machine);
      expect((await docker(instance, ['rmi', tag])).code).toBe(0);
    }
  });

  it('a second `berth start` reuses the running engine', async () => {
    const again = await berth(instance, ['start']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`DOCKER_HOST=unix://${instance.socket}`);
  });

  it('recovers within 5 s when the SSH connection is killed mid-use', async () => {
    // A stream in use: `docker events` holds its connection open until something cuts it.
    const events = spawn('docker', ['--host', `unix://${instance.socket}`, 'events'], { env: instance.env });
    const cut = new Promise<number>((resolve) => events.on('exit', () => resolve(Date.now())));
    // From inside the guest's PID namespace, kill every SSH session (by process name).
    const killer = await docker(instance, [
      'run', '-d', '--rm', '--pid=host', '--privileged', 'busybox:offline', 'sh', '-c', "sleep 1; killall sshd-session",
    ]);
    expect(killer.code, killer.stderr).toBe(0);
    const killedAt = await Promise.race([cut, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('the stream was never cut')), 30_000))]);
    const next = await docker(instance, ['version', '--format', '{{.Server.Version}}']);
    expect(next.code, next.stderr).toBe(0);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(readFileSync(join(instance.home, 'logs', 'daemon.log'), 'utf8')).toMatch(/ssh reconnected after \d+ attempt/);
  });
});
