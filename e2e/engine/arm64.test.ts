import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, berthInBackground, docker, importBusybox, importForeignBusybox, newInstance, runPid, status } from '../support/berth';

// The arm64 guest on this x86_64 host: QEMU emulates its CPUs (tcg), so every step is slower than the amd64
// guest's; one instance serves the whole file, and each step is bounded.
const instance = newInstance({ BERTH_ARCH: 'arm64' });

beforeAll(async () => {
  // Its image is built here (a no-op once cached), not before every suite: a fresh machine's build of it
  // (minutes, half of them in an emulated guest) overlaps the shared VM's files instead of delaying them.
  const built = await berthInBackground(instance, ['image', 'build', '--arch', 'arm64']).done;
  expect(built.code, built.stderr).toBe(0);
  const started = await berth(instance, ['start']);
  expect(started.code, started.stderr).toBe(0);
}, 1_500_000);

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
}, 180_000);

describe('the arm64 guest, emulated', () => {
  it('boots under qemu-system-aarch64 with tcg, and its dockerd answers through the same SSH link', async () => {
    const state = await status(instance);
    expect(state.state).toBe('running');
    expect(state.accelerator).toBe('tcg');
    const qemu = readFileSync(`/proc/${runPid(instance, 'qemu.pid')}/cmdline`, 'utf8').split('\0');
    expect(qemu[0]).toMatch(/qemu-system-aarch64$/);
    expect(qemu.join(' ')).toContain('-machine virt');
    // The host's docker CLI reaches the guest's dockerd through Berth's socket, which the SSH link carries.
    const server = await docker(instance, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
    expect(server.stdout.trim(), server.stderr).toBe('linux/arm64');
    const info = await docker(instance, ['info', '--format', '{{.Architecture}} {{.KernelVersion}}']);
    expect(info.stdout.trim()).toMatch(/^aarch64 \S+-arm64$/);
  });

  it('runs an arm64 image made offline, and an x86_64 one through its qemu-user', async () => {
    const imported = await importForeignBusybox(instance, 'arm64', 'busybox:arm64');
    expect(imported.code, imported.stderr).toBe(0);
    const run = await docker(instance, ['run', '--rm', '--platform', 'linux/arm64', 'busybox:arm64', 'uname', '-m'], { timeoutMs: 120_000 });
    expect(run.stdout.trim(), run.stderr).toBe('aarch64');
    // What an Apple silicon Mac meets every day: an amd64-only image (this host's own busybox, made offline).
    const amd64 = await importBusybox(instance, 'busybox:amd64', { platform: 'linux/amd64' });
    expect(amd64.code, amd64.stderr).toBe(0);
    const emulated = await docker(instance, ['run', '--rm', '--platform', 'linux/amd64', 'busybox:amd64', 'uname', '-m'], { timeoutMs: 120_000 });
    expect(emulated.stdout.trim(), emulated.stderr).toBe('x86_64');
  });

  it('keeps a named volume across stop and start', async () => {
    const wrote = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:arm64', 'sh', '-c', 'echo arm64-data > /data/marker']);
    expect(wrote.code, wrote.stderr).toBe(0);
    expect((await berth(instance, ['stop'])).code).toBe(0);
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const read = await docker(instance, ['run', '--rm', '-v', 'kept:/data', 'busybox:arm64', 'cat', '/data/marker']);
    expect(read.stdout.trim(), read.stderr).toBe('arm64-data');
  }, 600_000);
});
