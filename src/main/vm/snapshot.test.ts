import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MachineSpec } from './qemu';
import { restoreArgs, snapshotFor } from './snapshot';

const dir = mkdtempSync(join(tmpdir(), 'bt-snapshot-'));
const qemu = join(dir, 'qemu');
writeFileSync(qemu, 'binary');
const dataDisk = join(dir, 'data.img');
writeFileSync(dataDisk, '');
truncateSync(dataDisk, 1 << 30);

const spec: MachineSpec = {
  accelerator: 'tcg',
  image: { dir, arch: 'amd64', kernel: join(dir, 'vmlinux'), initrd: join(dir, 'initrd.img'), base: join(dir, 'base.img') },
  dataDisk,
  dataIsNew: false,
  cpus: 2,
  memoryMiB: 2048,
  sshPort: 40022,
  network: 'host-only',
  publicKey: 'ssh-ed25519 AAAA one',
  shares: ['/home/ana'],
  swapMiB: 0,
  dns: [],
  qmpSocket: join(dir, 'qmp.sock'),
  sshSocket: join(dir, 'ssh.sock'),
  pidFile: join(dir, 'qemu.pid'),
};
const snapshots = join(dir, 'snapshots');
const fileFor = (changes: Partial<MachineSpec>, imageId = 'img1'): string => snapshotFor(snapshots, qemu, imageId, { ...spec, ...changes }).file;

describe('snapshot identity', () => {
  it('is shared by starts that differ only in what the guest gets at its hold', () => {
    const same = fileFor({});
    expect(fileFor({ sshPort: 41000, publicKey: 'ssh-ed25519 BBBB two', dataIsNew: true, qmpSocket: '/x/q', sshSocket: '/x/s', pidFile: '/x/p', directDockerPort: 2 })).toBe(same);
    expect(fileFor({ dataDisk: join(dir, 'data.img') })).toBe(same);
    // The TCP forward a test may ask for is the host's, not the guest's: one snapshot serves starts with and without it.
    expect(fileFor({ sshPort: undefined })).toBe(same);
  });

  it('differs for anything that shapes the machine: accelerator, cpus, memory, network, shared folders, image, disk size', () => {
    const base = fileFor({});
    const others = [
      fileFor({ accelerator: 'kvm' }),
      fileFor({ cpus: 4 }),
      fileFor({ memoryMiB: 4096 }),
      fileFor({ network: 'normal' }),
      fileFor({ shares: ['/home/bob'] }),
      fileFor({ shares: [] }),
      fileFor({}, 'img2'),
    ];
    truncateSync(dataDisk, 2 << 30);
    others.push(fileFor({}));
    truncateSync(dataDisk, 1 << 30);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('names a BERTH_IMAGE image by a hash, never by its path', () => {
    const file = fileFor({}, 'custom:/some where/image');
    expect(file.startsWith(snapshots)).toBe(true);
    expect(file.slice(snapshots.length + 1)).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}\.vmstate$/);
  });

  it('is restored only when the file exists at a path that needs no quoting', () => {
    const snapshot = snapshotFor(snapshots, qemu, 'img1', spec);
    expect(restoreArgs(snapshot)).toBeNull();
    const plain = { ...snapshot, file: join(dir, 'plain.vmstate') };
    writeFileSync(plain.file, 'state');
    expect(restoreArgs(plain)).toEqual(['-incoming', `exec:cat ${plain.file}`]);
    const quoted = { ...snapshot, file: join(dir, "it's; rm -rf.vmstate") };
    writeFileSync(quoted.file, 'state');
    expect(restoreArgs(quoted)).toBeNull();
  });
});
