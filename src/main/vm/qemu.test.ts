import { describe, expect, it } from 'vitest';
import { findQemu, kernelCommandLine, qemuArgs, type MachineSpec } from './qemu';

const spec: MachineSpec = {
  accelerator: 'tcg',
  image: { dir: '/img', kernel: '/img/vmlinuz', initrd: '/img/initrd.img', base: '/img/base.img' },
  dataDisk: '/home/data.img',
  dataIsNew: false,
  cpus: 2,
  memoryMiB: 2048,
  sshPort: 40022,
  network: 'host-only',
  publicKey: 'ssh-ed25519 AAAAC3Nza berth',
  qmpSocket: '/home/run/qmp.sock',
  pidFile: '/home/run/qemu.pid',
};

const valueAfter = (args: string[], flag: string): string[] =>
  args.flatMap((arg, index) => (args[index - 1] === flag ? [arg] : []));

describe('qemu command line', () => {
  it('passes the public key, network mode and data disk state to the guest, never the key baked in', () => {
    const line = kernelCommandLine(spec);
    expect(line).toContain(`berth.pubkey=${Buffer.from('ssh-ed25519 AAAAC3Nza berth').toString('base64')}`);
    expect(line).toContain('berth.net=host-only');
    expect(line).toContain('berth.data=existing');
    expect(kernelCommandLine({ ...spec, network: 'normal', dataIsNew: true })).toMatch(/berth\.net=normal .*berth\.data=new/);
    expect(line).not.toContain('berth.tcp');
  });

  it('forwards only from the host loopback, and keeps the base image read-only', () => {
    const args = qemuArgs(spec);
    const netdev = valueAfter(args, '-netdev')[0];
    expect(netdev).toContain('hostfwd=tcp:127.0.0.1:40022-:22');
    expect(netdev).toContain('ipv6=off');
    expect(netdev).not.toMatch(/hostfwd=tcp::|0\.0\.0\.0/);
    expect(valueAfter(args, '-drive')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^file=\/img\/base\.img,.*readonly=on/), expect.stringMatching(/^file=\/home\/data\.img,/)]),
    );
  });

  it('adds the direct dockerd path only for benchmarks', () => {
    const args = qemuArgs({ ...spec, directDockerPort: 40375 });
    expect(valueAfter(args, '-netdev')[0]).toContain('hostfwd=tcp:127.0.0.1:40375-:2375');
    expect(kernelCommandLine({ ...spec, directDockerPort: 40375 })).toContain('berth.tcp=2375');
  });

  it('uses the host CPU with a hardware accelerator and an emulated one with RDRAND under tcg', () => {
    expect(valueAfter(qemuArgs(spec), '-cpu')).toEqual(['max']);
    expect(valueAfter(qemuArgs({ ...spec, accelerator: 'kvm' }), '-cpu')).toEqual(['host']);
    expect(valueAfter(qemuArgs({ ...spec, accelerator: 'kvm' }), '-accel')).toEqual(['kvm']);
  });

  it('names the missing binary and how to install it', () => {
    expect(() => findQemu({ PATH: '/nonexistent' })).toThrow(/was not found on PATH/);
    expect(() => findQemu({ BERTH_QEMU: '/nonexistent/qemu' })).toThrow(/BERTH_QEMU=\/nonexistent\/qemu is not an executable file/);
  });
});
