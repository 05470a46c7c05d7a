import { chmodSync, createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine';

const dir = mkdtempSync(join(tmpdir(), 'berth-machine-'));

/** A stand-in for QEMU: a script that behaves like one accelerator would. */
function fakeQemu(name: string, script: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${script}\n`);
  chmodSync(path, 0o755);
  return path;
}

const spec = {
  image: { dir, arch: 'amd64' as const, kernel: 'k', initrd: 'i', base: 'b' },
  dataDisk: join(dir, 'data.img'),
  dataIsNew: true,
  cpus: 1,
  memoryMiB: 512,
  sshPort: 1,
  network: 'host-only' as const,
  publicKey: 'ssh-ed25519 AAAA test',
  shares: [],
  swapMiB: 0,
  dns: [],
  qmpSocket: join(dir, 'qmp.sock'),
  sshSocket: join(dir, 'ssh.sock'),
  pidFile: join(dir, 'qemu.pid'),
};

const boot = (qemu: string, names: string[], signal = new AbortController().signal) =>
  Machine.bootFirst(
    qemu,
    names.map((name) => ({ name, why: 'test' })),
    spec,
    createWriteStream(join(dir, 'console.log')),
    () => undefined,
    () => undefined,
    signal,
  );

describe('accelerator handshake', () => {
  it('moves on from an accelerator that hangs past its deadline, keeping the reason', async () => {
    process.env.BERTH_ACCEL_DEADLINE_MS = '300';
    // Hangs with the hardware accelerator, boots with tcg.
    const qemu = fakeQemu('hang', 'case "$*" in *"-accel tcg"*) echo "berth: handshake"; exec sleep 30;; *) exec sleep 30;; esac');
    const { machine, reason } = await boot(qemu, ['kvm', 'tcg']);
    expect(machine.accelerator).toBe('tcg');
    expect(reason).toBe('fell back to tcg: kvm: no boot handshake within 0.3 s');
    await machine.kill();
    delete process.env.BERTH_ACCEL_DEADLINE_MS;
  });

  it('moves on at once from an accelerator QEMU refuses', async () => {
    const qemu = fakeQemu('refuse', 'case "$*" in *"-accel tcg"*) echo "berth: handshake"; exec sleep 30;; *) echo "qemu-system-x86_64: -accel kvm: failed to initialize kvm: No such device" >&2; exit 1;; esac');
    const began = Date.now();
    const { machine, reason } = await boot(qemu, ['kvm', 'tcg']);
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(reason).toBe('fell back to tcg: kvm: qemu refused it: -accel kvm: failed to initialize kvm: No such device');
    await machine.kill();
  });

  it('keeps the first accelerator that answers', async () => {
    const qemu = fakeQemu('works', 'echo "berth: handshake"; exec sleep 30');
    const { machine, reason } = await boot(qemu, ['kvm', 'tcg']);
    expect(machine.accelerator).toBe('kvm');
    expect(reason).toMatch(/^kvm: boot handshake in \d+\.\d s$/);
    await machine.kill();
  });

  it('gives the last resort a second try after an early guest reset', async () => {
    const count = join(dir, 'resets');
    const qemu = fakeQemu('reset-once', `if [ ! -e ${count} ]; then touch ${count}; exit 0; fi; echo "berth: handshake"; exec sleep 30`);
    const { machine, reason } = await boot(qemu, ['tcg']);
    expect(machine.accelerator).toBe('tcg');
    expect(reason).toBe('fell back to tcg: tcg: qemu refused it: exit 0');
    await machine.kill();
  });

  it('stops trying when the start is cancelled', async () => {
    const qemu = fakeQemu('slow', 'exec sleep 30');
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    process.env.BERTH_ACCEL_DEADLINE_MS = '200';
    await expect(boot(qemu, ['kvm', 'tcg'], abort.signal)).rejects.toThrow();
    delete process.env.BERTH_ACCEL_DEADLINE_MS;
  });
});
