import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidates, VerdictStore } from './accelerator';

describe('accelerator candidates', () => {
  it('tries the platform accelerator, then tcg', () => {
    expect(candidates({}, {}, 'amd64', { platform: 'darwin', arch: 'x64' }).list.map((c) => c.name)).toEqual(['hvf', 'tcg']);
    expect(candidates({}, {}, 'arm64', { platform: 'darwin', arch: 'arm64' }).list.map((c) => c.name)).toEqual(['hvf', 'tcg']);
    expect(candidates({}, {}, 'amd64', { platform: 'win32', arch: 'x64' }).list.map((c) => c.name)).toEqual(['whpx', 'tcg']);
  });

  it("emulates a guest of another architecture than the host's, and says so", () => {
    for (const host of [{ platform: 'linux', arch: 'x64' }, { platform: 'darwin', arch: 'x64' }, { platform: 'win32', arch: 'x64' }] as const) {
      const { list, skipped } = candidates({}, {}, 'arm64', host);
      expect(list.map((c) => c.name)).toEqual(['tcg']);
      expect(skipped).toBe('an arm64 guest on an x64 host is emulated');
    }
    expect(candidates({}, {}, 'amd64', { platform: 'darwin', arch: 'arm64' }).list.map((c) => c.name)).toEqual(['tcg']);
    expect(candidates({}, {}, 'arm64', { platform: 'win32', arch: 'arm64' }).skipped).toBe('no hardware accelerator for arm64 guests on win32');
  });

  it('skips an accelerator that failed its handshake before, and says why', () => {
    const failed = { hvf: { ok: false, reason: 'no boot handshake within 3.0 s', at: '2026-01-01T00:00:00Z' } };
    const { list, skipped } = candidates({}, failed, 'arm64', { platform: 'darwin', arch: 'arm64' });
    expect(list.map((c) => c.name)).toEqual(['tcg']);
    expect(skipped).toContain('no boot handshake within 3.0 s');
    expect(skipped).toContain('BERTH_ACCEL=hvf');
  });

  it('lets BERTH_ACCEL force the list, always ending with tcg', () => {
    const failed = { kvm: { ok: false, reason: 'hang', at: 'x' } };
    expect(candidates({ BERTH_ACCEL: 'kvm' }, failed, 'amd64', { platform: 'linux', arch: 'x64' }).list.map((c) => c.name)).toEqual(['kvm', 'tcg']);
    expect(candidates({ BERTH_ACCEL: 'tcg' }, {}, 'amd64', { platform: 'linux', arch: 'x64' }).list.map((c) => c.name)).toEqual(['tcg']);
  });
});

describe('accelerator verdicts', () => {
  it('keys verdicts by QEMU binary and host kernel, not by guest image', () => {
    const qemu = process.execPath;
    expect(VerdictStore.keyFor(qemu, '6.1.0')).toBe(VerdictStore.keyFor(qemu, '6.1.0'));
    expect(VerdictStore.keyFor(qemu, '6.1.0')).not.toBe(VerdictStore.keyFor(qemu, '6.12.0'));
    expect(VerdictStore.keyFor(qemu, '6.1.0')).toContain(qemu);
  });

  it('keeps the verdicts of QEMU binaries or host kernels used side by side apart', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bt-verdicts-')), 'accelerator.json');
    writeFileSync(path, '{"key":"older-format","verdicts":{"kvm":{"ok":true,"reason":"r","at":"t"}}}');
    const one = new VerdictStore(path, 'qemu-one:6.1.0');
    const two = new VerdictStore(path, 'qemu-two:6.1.0');
    expect(one.read()).toEqual({});
    one.record('kvm', { ok: false, reason: 'hang', at: 't1' });
    two.record('kvm', { ok: true, reason: 'fast', at: 't2' });
    one.record('hvf', { ok: false, reason: 'none', at: 't3' });
    expect(Object.keys(one.read())).toEqual(['kvm', 'hvf']);
    expect(one.read().kvm!.reason).toBe('hang');
    expect(two.read()).toEqual({ kvm: { ok: true, reason: 'fast', at: 't2' } });
  });
});
