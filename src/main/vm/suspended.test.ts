import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedSince, dependencies, diskIdentity, discardSuspended, readSuspended, suspendFiles, writeSuspended, prepareSuspendDir, type SuspendedRecord } from './suspended';
import type { MachineSpec } from './qemu';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bt-suspended-'));
  dirs.push(dir);
  return dir;
}

const spec = (dir: string, memoryMiB = 2048): MachineSpec => ({
  accelerator: 'tcg',
  image: { dir, arch: 'amd64', kernel: join(dir, 'vmlinux'), initrd: join(dir, 'initrd'), base: join(dir, 'base.img') },
  dataDisk: join(dir, 'data.img'),
  dataIsNew: false,
  cpus: 2,
  memoryMiB,
  sshSocket: join(dir, 'ssh.sock'),
  network: 'host-only',
  publicKey: 'ssh-ed25519 AAAA',
  shares: ['/srv'],
  swapMiB: 0,
  dns: [],
  qmpSocket: join(dir, 'qmp.sock'),
  pidFile: join(dir, 'qemu.pid'),
});

function recordIn(dir: string, dependsOn: Record<string, string>): SuspendedRecord {
  return {
    savedAt: new Date().toISOString(),
    by: 'user',
    accelerator: 'tcg',
    acceleratorReason: 'no hardware accelerator',
    network: 'host-only',
    shares: { paths: ['/srv'], origin: 'env' },
    dependsOn,
    disk: diskIdentity(join(dir, 'data.img'))!,
    restart: [],
    kept: { ping: {}, version: '{}', containers: [], images: '[]', volumes: '{}', networks: '[]', plugins: '[]' },
  };
}

describe('a suspended VM', () => {
  it("depends on QEMU, the image, the machine shape, the registries, the engine's settings and the disk size, and on its data disk file", () => {
    const dir = home();
    const qemu = join(dir, 'qemu');
    writeFileSync(qemu, 'binary');
    writeFileSync(join(dir, 'data.img'), 'disk');
    const base = { qemu, imageId: 'abc', spec: spec(dir), registries: '', diskGiB: 64 };
    const record = recordIn(dir, dependencies(base));
    expect(changedSince(record, dependencies(base), join(dir, 'data.img'))).toEqual([]);
    // A change of any one names it, as the log and the error say.
    expect(changedSince(record, dependencies({ ...base, spec: spec(dir, 4096) }), join(dir, 'data.img'))).toEqual([
      "the machine's shape (CPUs, memory, network, shared folders)",
    ]);
    expect(changedSince(record, dependencies({ ...base, imageId: 'def', diskGiB: 65 }), join(dir, 'data.img'))).toEqual(['the guest image', 'the data disk size setting']);
    expect(changedSince(record, dependencies({ ...base, registries: 'insecure x:5000\n' }), join(dir, 'data.img'))).toEqual(['the registry settings']);
    for (const engine of [{ engine: '"debug": true\n' }, { swapMiB: 512 }, { dns: ['1.1.1.1'] }]) {
      expect(changedSince(record, dependencies({ ...base, spec: { ...spec(dir), ...engine } }), join(dir, 'data.img'))).toEqual([
        "the engine's settings (daemon.json, proxy, swap, DNS)",
      ]);
    }
    writeFileSync(qemu, 'another binary');
    expect(changedSince(record, dependencies(base), join(dir, 'data.img'))).toEqual(['QEMU']);
    writeFileSync(qemu, 'binary');
    utimesSync(join(dir, 'data.img'), new Date(), new Date(Date.now() + 5_000));
    expect(changedSince(record, dependencies(base), join(dir, 'data.img'))).toContain('the data disk file');
  });

  it('is read back only with its state file beside it, and discarded whole', () => {
    const dir = home();
    writeFileSync(join(dir, 'data.img'), 'disk');
    const files = suspendFiles(dir);
    prepareSuspendDir(files);
    const record = recordIn(dir, {});
    writeSuspended(files, record);
    expect(readSuspended(files)).toBeNull();
    writeFileSync(files.state, 'state');
    expect(readSuspended(files)).toEqual(record);
    writeFileSync(files.record, '{"savedAt": 1}');
    expect(readSuspended(files)).toBeNull();
    discardSuspended(files);
    expect(readSuspended(files)).toBeNull();
  });
});
