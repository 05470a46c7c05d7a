import { describe, expect, it } from 'vitest';
import { findQemu, kernelCommandLine, machineArgs, qemuArgs, startValues, type MachineSpec } from './qemu';

const spec: MachineSpec = {
  accelerator: 'tcg',
  image: { dir: '/img', arch: 'amd64', kernel: '/img/vmlinux', initrd: '/img/initrd.img', base: '/img/base.img' },
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
    const line = kernelCommandLine({ ...spec, arch: 'amd64' });
    expect(line).toContain('berth.net=host-only');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'tcg', arch: 'amd64' })).toContain('berth.net=normal');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'tcg', arch: 'amd64' })).toContain('berth.tcg=1');
    expect(kernelCommandLine({ network: 'normal', accelerator: 'kvm', arch: 'amd64' })).toContain('berth.tcg=0');
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
      image: { dir: `${home}/img`, arch: 'amd64', kernel: `${home}/img/vmlinux`, initrd: `${home}/img/initrd.img`, base: `${home}/img/base.img` },
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
    expect(valueAfter(args, '-chardev')).toContain('socket,id=qmp,path=/tmp/a,,b/run/qmp.sock,server=on,wait=off');
    expect(valueAfter(args, '-mon')).toEqual(['chardev=qmp,mode=control']);
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

describe('the machine for each host platform, guest architecture and accelerator', () => {
  const arm64 = { ...spec, image: { ...spec.image, arch: 'arm64' as const, kernel: '/img/Image' } };
  const cases: [NodeJS.Platform, 'amd64' | 'arm64', string, string[]][] = [
    ['linux', 'amd64', 'kvm', ['-machine', 'q35', '-accel', 'kvm', '-cpu', 'host']],
    ['linux', 'amd64', 'tcg', ['-machine', 'q35', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max']],
    ['linux', 'arm64', 'kvm', ['-machine', 'virt,gic-version=host', '-accel', 'kvm', '-cpu', 'host']],
    ['linux', 'arm64', 'tcg', ['-machine', 'virt,gic-version=max', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max,pauth-impdef=on']],
    ['darwin', 'amd64', 'hvf', ['-machine', 'q35', '-accel', 'hvf', '-cpu', 'host']],
    ['darwin', 'amd64', 'tcg', ['-machine', 'q35', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max']],
    ['darwin', 'arm64', 'hvf', ['-machine', 'virt', '-accel', 'hvf', '-cpu', 'host']],
    ['darwin', 'arm64', 'tcg', ['-machine', 'virt,gic-version=max', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max,pauth-impdef=on']],
    ['win32', 'amd64', 'whpx', ['-machine', 'q35,kernel-irqchip=off', '-accel', 'whpx', '-cpu', 'host']],
    ['win32', 'amd64', 'tcg', ['-machine', 'q35', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max']],
    ['win32', 'arm64', 'tcg', ['-machine', 'virt,gic-version=max', '-accel', 'tcg,thread=multi,tb-size=256', '-cpu', 'max,pauth-impdef=on']],
  ];
  it.each(cases)('%s host, %s guest, %s', (platform, arch, accelerator, expected) => {
    expect(machineArgs(arch, accelerator, platform)).toEqual(expected);
    const args = qemuArgs({ ...(arch === 'arm64' ? arm64 : spec), accelerator }, platform);
    expect(args.slice(0, 6)).toEqual(expected);
    const line = valueAfter(args, '-append')[0]!;
    // The console is the board's UART; the x86-only options stay off an arm64 guest's command line.
    expect(line.split(' ')[0]).toBe(arch === 'arm64' ? 'console=ttyAMA0' : 'console=ttyS0');
    expect(line.includes('tsc=reliable')).toBe(arch === 'amd64');
    expect(line).toContain(`berth.tcg=${accelerator === 'tcg' ? 1 : 0}`);
    expect(valueAfter(args, '-kernel')).toEqual([arch === 'arm64' ? '/img/Image' : '/img/vmlinux']);
    // The same devices on both boards: virtio over PCI, the serial SSH port, the balloon.
    expect(valueAfter(args, '-device')).toEqual(expect.arrayContaining(['virtio-serial-pci', 'virtserialport,chardev=ssh,name=berth.ssh']));
  });

  it('serves QMP and the serial SSH port as named pipes on Windows, as Unix sockets elsewhere', () => {
    const pipes = { ...spec, qmpSocket: '\\\\.\\pipe\\berth_qmp', sshSocket: '//./pipe/berth_ssh' };
    const windows = valueAfter(qemuArgs(pipes, 'win32'), '-chardev');
    expect(windows).toEqual(expect.arrayContaining(['pipe,id=qmp,path=berth_qmp', 'pipe,id=ssh,path=berth_ssh']));
    expect(valueAfter(qemuArgs(spec, 'darwin'), '-chardev')).toEqual(
      expect.arrayContaining(['socket,id=qmp,path=/home/run/qmp.sock,server=on,wait=off', 'socket,id=ssh,path=/home/run/ssh.sock,server=on,wait=off']),
    );
  });

  it('looks for the emulator of the guest architecture', () => {
    expect(() => findQemu({ PATH: '/nonexistent' }, 'arm64')).toThrow(/qemu-system-aarch64 was not found on PATH/);
    expect(() => findQemu({ PATH: '/nonexistent' }, 'amd64')).toThrow(/qemu-system-x86_64 was not found on PATH/);
  });
});
