import { describe, expect, it } from 'vitest';
import { findQemu, kernelCommandLine, qemuArgs, startValues, type MachineSpec } from './qemu';

const spec: MachineSpec = {
  accelerator: 'tcg',
  image: { dir: '/img', kernel: '/img/vmlinux', initrd: '/img/initrd.img', base: '/img/base.img' },
  dataDisk: '/home/data.img',
  dataIsNew: false,
  cpus: 2,
  memoryMiB: 2048,
  network: 'host-only',
  publicKey: 'ssh-ed25519 AAAAC3Nza berth',
  shares: ['/home/ana', '/srv/a,b c'],
  swapMiB: 0,
  dns: [],
  qmpSocket: '/home/run/qmp.sock',
  sshSocket: '/home/run/ssh.sock',
  pidFile: '/home/run/qemu.pid',
};

const valueAfter = (args: string[], flag: string): string[] =>
  args.flatMap((arg, index) => (args[index - 1] === flag ? [arg] : []));

describe('qemu command line', () => {
  it('boots every start alike, passing only the network mode and emulation on the kernel command line', () => {
    const line = kernelCommandLine(spec);
    expect(line).toContain('berth.net=host-only');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'tcg' })).toContain('berth.net=normal');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'tcg' })).toContain('berth.tcg=1');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'kvm' })).toContain('berth.tcg=0');
    expect(line).not.toMatch(/pubkey|berth\.data|berth\.tcp/);
  });

  it('sends the public key, data disk state, time and a fresh seed as one line at the hold', () => {
    const seed = Buffer.alloc(48, 0xab);
    const line = startValues(spec, 1_700_000_000_999, seed);
    const shares = Buffer.from('berth0 /home/ana\nberth1 /srv/a,b c\n').toString('base64');
    expect(line).toBe(`pubkey=${Buffer.from('ssh-ed25519 AAAAC3Nza berth').toString('base64')} data=existing time=1700000000 seed=${'ab'.repeat(48)} shares=${shares}\n`);
    expect(startValues({ ...spec, dataIsNew: true })).toMatch(/ data=new /);
    expect(startValues(spec)).not.toBe(startValues(spec));
  });

  it('forwards no port to the guest by default, and keeps the base image read-only', () => {
    const args = qemuArgs(spec);
    expect(valueAfter(args, '-netdev')).toEqual(['user,id=net0,ipv6=off']);
    expect(args.join(' ')).not.toContain('hostfwd');
    expect(startValues(spec)).not.toContain('sshtcp');
    expect(valueAfter(args, '-drive')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^file=\/img\/base\.img,.*readonly=on/), expect.stringMatching(/^file=\/home\/data\.img,/)]),
    );
  });

  it("forwards the guest's TCP port 22 from the host loopback only when a test asks, and starts its sshd then", () => {
    const netdev = valueAfter(qemuArgs({ ...spec, sshPort: 40022 }), '-netdev')[0];
    expect(netdev).toBe('user,id=net0,ipv6=off,hostfwd=tcp:127.0.0.1:40022-:22');
    expect(startValues({ ...spec, sshPort: 40022 })).toMatch(/ sshtcp=1\n$/);
  });

  it('doubles every comma inside a path QEMU reads from an option list', () => {
    const home = '/tmp/a,b';
    const args = qemuArgs({
      ...spec,
      image: { dir: `${home}/img`, kernel: `${home}/img/vmlinux`, initrd: `${home}/img/initrd.img`, base: `${home}/img/base.img` },
      dataDisk: `${home}/data.img`,
      qmpSocket: `${home}/run/qmp.sock`,
      sshSocket: `${home}/run/ssh.sock`,
      pidFile: `${home}/run/qemu.pid`,
      shares: [`${home}/share`],
    });
    expect(valueAfter(args, '-drive')).toEqual([
      'file=/tmp/a,,b/img/base.img,format=raw,if=virtio,readonly=on',
      'file=/tmp/a,,b/data.img,format=raw,if=virtio,cache=writeback,discard=unmap',
    ]);
    expect(valueAfter(args, '-qmp')).toEqual(['unix:/tmp/a,,b/run/qmp.sock,server=on,wait=off']);
    expect(valueAfter(args, '-chardev')).toContain('socket,id=ssh,path=/tmp/a,,b/run/ssh.sock,server=on,wait=off');
    expect(valueAfter(args, '-virtfs')[0]).toMatch(/^local,path=\/tmp\/a,,b\/share,mount_tag=/);
    // Plain file names, not option lists: QEMU takes them as they are.
    expect(valueAfter(args, '-pidfile')).toEqual(['/tmp/a,b/run/qemu.pid']);
    expect(valueAfter(args, '-kernel')).toEqual(['/tmp/a,b/img/vmlinux']);
    expect(valueAfter(args, '-initrd')).toEqual(['/tmp/a,b/img/initrd.img']);
  });

  it("serves the guest's serial SSH port on the host as a Unix socket, commas escaped for QEMU", () => {
    const args = qemuArgs({ ...spec, sshSocket: '/home/a,b/run/ssh.sock' });
    expect(valueAfter(args, '-chardev')).toContain('socket,id=ssh,path=/home/a,,b/run/ssh.sock,server=on,wait=off');
    expect(valueAfter(args, '-device')).toContain('virtserialport,chardev=ssh,name=berth.ssh');
  });

  it('adds the direct dockerd path only for benchmarks', () => {
    const args = qemuArgs({ ...spec, directDockerPort: 40375 });
    expect(valueAfter(args, '-netdev')[0]).toContain('hostfwd=tcp:127.0.0.1:40375-:2375');
    expect(startValues({ ...spec, directDockerPort: 40375 })).toMatch(/ tcp=2375\n$/);
    expect(startValues(spec)).not.toContain('tcp=');
  });

  it('exports each shared folder over 9p under its own tag, commas escaped for QEMU', () => {
    expect(valueAfter(qemuArgs(spec), '-virtfs')).toEqual([
      'local,path=/home/ana,mount_tag=berth0,security_model=none,id=berth0,multidevs=remap',
      'local,path=/srv/a,,b c,mount_tag=berth1,security_model=none,id=berth1,multidevs=remap',
    ]);
    expect(qemuArgs({ ...spec, shares: [] })).not.toContain('-virtfs');
    expect(startValues({ ...spec, shares: [] })).not.toContain('shares=');
  });

  it('sends the registry settings as base64, only when there are some', () => {
    const lines = 'insecure registry.local:5000\nca registry.local:5000 LS0tLS1C\n';
    expect(startValues({ ...spec, registries: lines })).toContain(` registries=${Buffer.from(lines).toString('base64')}`);
    expect(startValues({ ...spec, registries: '' })).not.toContain('registries=');
  });

  it("sends the engine's daemon.json entries, swap and DNS servers only when set", () => {
    const engine = '"debug": true\n"labels": ["team=a b"]\n';
    const line = startValues({ ...spec, engine, swapMiB: 512, dns: ['1.1.1.1', '2606:4700::1111'] });
    expect(line).toContain(` engine=${Buffer.from(engine).toString('base64')}`);
    expect(line).toContain(' swap=512');
    expect(line).toContain(' dns=1.1.1.1,2606:4700::1111');
    // One line whose values the guest splits at spaces.
    expect(line.trimEnd().split(' ').every((value) => /^[a-z]+=\S+$/.test(value))).toBe(true);
    expect(startValues(spec)).not.toMatch(/engine=|swap=|dns=/);
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
