import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BerthError } from '../api/errors';
import { isPipe, qemuPipeName } from '../platform/endpoints';
import { bundledQemu, thisHost } from '../resources';
import type { NetworkMode } from '../settings/schema';
import { guestArch, qemuSystem, type GuestArch } from './arch';

/** The QEMU the installed app carries (macOS and Windows), unless BERTH_QEMU names another. */
const carriedQemu = (env: NodeJS.ProcessEnv, arch: GuestArch) => (env.BERTH_QEMU ? null : bundledQemu(thisHost(), arch));

/** BERTH_QEMU names the binary; else the installed app's own; else the emulator for the guest's architecture on PATH. */
export function findQemu(env = process.env, arch: GuestArch = guestArch(env)): string {
  const QEMU = qemuSystem(arch);
  const carried = carriedQemu(env, arch);
  if (carried) return carried.binary;
  const candidates = env.BERTH_QEMU
    ? [env.BERTH_QEMU]
    : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, QEMU));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  const install =
    process.platform === 'darwin'
      ? 'brew install qemu'
      : process.platform === 'win32'
        ? 'install QEMU for Windows and add it to PATH'
        : `sudo apt-get install ${arch === 'arm64' ? 'qemu-system-arm' : 'qemu-system-x86'} (or your distribution's qemu-system package)`;
  throw new BerthError(
    'QemuMissing',
    env.BERTH_QEMU ? `BERTH_QEMU=${env.BERTH_QEMU} is not an executable file.` : `${QEMU} was not found on PATH.`,
    `Berth runs its VM with QEMU: ${install}, then start Berth again.`,
  );
}

/**
 * `-L DIR` for the installed app's QEMU: its firmware and data files lie in a folder of the app's layout,
 * not where that QEMU was built to look. Nothing for BERTH_QEMU or a QEMU on PATH, which find their own.
 */
export function qemuDataArgs(env = process.env, arch: GuestArch = guestArch(env)): string[] {
  const carried = carriedQemu(env, arch);
  return carried ? ['-L', carried.dataDir] : [];
}

export interface GuestImage {
  dir: string;
  /** The architecture the image was built for (its manifest's `arch`). */
  arch: GuestArch;
  /** amd64: the ELF kernel, booted through its PVH entry; arm64: the Image, booted by the virt machine itself. */
  kernel: string;
  initrd: string;
  base: string;
}

export interface MachineSpec {
  accelerator: string;
  image: GuestImage;
  dataDisk: string;
  dataIsNew: boolean;
  cpus: number;
  memoryMiB: number;
  /**
   * Only when a test asks (BERTH_TEST_SSH_TCP=1): QEMU forwards this loopback port to the guest's TCP port
   * 22, where an sshd then listens, a second way in beside Berth's own link. Otherwise nothing in the guest
   * listens for SSH: the serial link runs `sshd -i` per connection.
   */
  sshPort?: number;
  /** The host end of the guest's serial SSH port (SSH_SERIAL_PORT), where Berth's own link connects. */
  sshSocket: string;
  network: NetworkMode;
  publicKey: string;
  /** Host folders the guest mounts at the same path (outermost only, see effectiveShares). */
  shares: string[];
  qmpSocket: string;
  pidFile: string;
  /** Only for benchmarks: dockerd also listens on TCP, forwarded from this host port. */
  directDockerPort?: number;
  /** The registry settings as the guest reads them (registry/guestSettings registryValues); none when empty. */
  registries?: string;
  /** The user's daemon.json entries as the guest reads them (settings/engineConfig engineLines); none when empty. */
  engine?: string;
  /** A swap file of this size on the data disk; 0 for none. */
  swapMiB: number;
  /** The DNS servers the guest's resolver asks in normal mode; empty for QEMU's. */
  dns: string[];
}

/**
 * The virtio-serial port the guest serves SSH on (vm/rootfs/usr/local/sbin/berth-ssh-serial). It skips
 * the guest's TCP stack and QEMU's user-mode network, which under TCG cost a Docker API round trip
 * about 0.3 ms more than the serial path.
 */
export const SSH_SERIAL_PORT = 'berth.ssh';

/** The guest's dockerd TCP port behind `directDockerPort`. */
export const GUEST_DIRECT_PORT = 2375;

/** The guest's serial console: the 16550 UART on q35, the PL011 on the virt machine. */
const CONSOLE: Record<GuestArch, string[]> = {
  // Only the one UART q35 has is probed, and the TSC of a QEMU vCPU needs no watchdog.
  amd64: ['console=ttyS0', '8250.nr_uarts=1', 'tsc=reliable'],
  arm64: ['console=ttyAMA0'],
};

/** The guest's kernel command line: the same on every start of one image, settings and network mode. */
export function kernelCommandLine(spec: { network: NetworkMode; accelerator: string; arch: GuestArch }): string {
  const params = [
    ...CONSOLE[spec.arch],
    // Every line on the emulated UART is slow, and each skipped check is time saved under TCG.
    'quiet',
    'loglevel=0',
    'panic=-1',
    'mitigations=off',
    // Capabilities (plus lockdown, IMA and EVM, which always start): the other security modules (SELinux,
    // Landlock, TOMOYO, ...) have no policy here, yet their hooks run on every file, socket and process
    // operation, and that costs under TCG.
    'lsm=capability',
    // Jitter entropy (the CPU offers RDRAND and the host sends a seed), encrypted keys and the KDF self
    // test serve nothing in the guest and cost about 0.3 s of an emulated boot together.
    'initcall_blacklist=jent_mod_init,init_encrypted,crypto_kdf108_init',
    // The lockup detectors wake each vCPU every 4 s (and its stopper thread): on an idle engine that is
    // host CPU spent for nothing, and under TCG a stalled vCPU is the host's load, not a kernel bug.
    'nowatchdog',
    'no_timer_check',
    'cryptomgr.notests',
    'random.trust_cpu=on',
    `berth.net=${spec.network}`,
    // Emulated vCPUs are host threads: the guest places its daemons to spare cross-vCPU wake-ups.
    `berth.tcg=${spec.accelerator === 'tcg' ? 1 : 0}`,
  ];
  return params.join(' ');
}

/**
 * This start's own values, sent as one line on the serial port when the guest holds (see berth-boot):
 * they never enter a memory snapshot, and a restored guest gets the time and fresh randomness with them.
 */
export function startValues(spec: MachineSpec, now = Date.now(), seed = randomBytes(48)): string {
  const values = [
    `pubkey=${Buffer.from(spec.publicKey.trim()).toString('base64')}`,
    `data=${spec.dataIsNew ? 'new' : 'existing'}`,
    `time=${Math.floor(now / 1000)}`,
    `seed=${seed.toString('hex')}`,
  ];
  if (spec.shares.length) values.push(`shares=${Buffer.from(shareLines(spec.shares)).toString('base64')}`);
  if (spec.registries) values.push(`registries=${Buffer.from(spec.registries).toString('base64')}`);
  if (spec.engine) values.push(`engine=${Buffer.from(spec.engine).toString('base64')}`);
  if (spec.swapMiB > 0) values.push(`swap=${spec.swapMiB}`);
  if (spec.dns.length) values.push(`dns=${spec.dns.join(',')}`);
  if (spec.directDockerPort) values.push(`tcp=${GUEST_DIRECT_PORT}`);
  if (spec.sshPort) values.push('sshtcp=1');
  return `${values.join(' ')}\n`;
}

/** Each share's 9p tag and its path, one per line (base64 on the wire, so any path survives the shell). */
export const shareLines = (shares: string[]): string => shares.map((path, index) => `${shareTag(index)} ${path}\n`).join('');

const shareTag = (index: number): string => `berth${index}`;

/** A value inside a QEMU option list (`key=value,key=value`): QEMU reads a doubled comma as one comma of the value. */
export const optionValue = (value: string): string => value.replaceAll(',', ',,');

/**
 * One 9p export per shared folder. The devices exist from the first instruction, but the guest mounts
 * them only after its hold: QEMU refuses to save a guest that has a 9p export mounted.
 * security_model=none: files are created with QEMU's own credentials, that is the user's.
 * multidevs=remap: a home folder often spans file systems, whose inode numbers would collide.
 */
function shareArgs(shares: string[]): string[] {
  return shares.flatMap((path, index) => [
    '-virtfs',
    `local,path=${optionValue(path)},mount_tag=${shareTag(index)},security_model=none,id=${shareTag(index)},multidevs=remap`,
  ]);
}

/**
 * Under TCG, QEMU's cache of translated guest code, in MiB. Left to QEMU it grows towards 1 GiB and, once
 * touched, stays resident: a container that ran new code leaves QEMU holding more memory for good (about
 * 140 MiB more after one that took and freed 1 GiB, measured). At 256 MiB the cache holds what an engine
 * runs, is full after a few containers, and is flushed and reused from then on.
 */
export const TCG_CODE_CACHE_MIB = 256;

/**
 * The board, accelerator and CPU for one (host platform, guest architecture, accelerator). amd64 guests run
 * on q35 (kvm, hvf on an Intel Mac, whpx, or tcg); arm64 guests on the virt board (hvf on Apple silicon, kvm
 * on arm64 Linux, or tcg). Both boot their kernel directly: q35 through the ELF's PVH entry (QEMU's own
 * option ROM, no firmware from the user), virt by loading the Image itself (no UEFI).
 */
export function machineArgs(arch: GuestArch, accelerator: string, platform: NodeJS.Platform = process.platform): string[] {
  const tcg = accelerator === 'tcg';
  const accel = tcg ? `tcg,thread=multi,tb-size=${TCG_CODE_CACHE_MIB}` : accelerator;
  if (arch === 'arm64') {
    // GICv3 emulated under tcg (more than 8 vCPUs), the host's under kvm; hvf has QEMU's GICv2.
    const gic = tcg ? ',gic-version=max' : accelerator === 'kvm' ? ',gic-version=host' : '';
    // pauth-impdef: QEMU's own pointer-authentication hash; the architected one is slow to emulate.
    return ['-machine', `virt${gic}`, '-accel', accel, '-cpu', tcg ? 'max,pauth-impdef=on' : 'host'];
  }
  // WHPX cannot run QEMU's in-kernel interrupt controller emulation: the irqchip stays in QEMU.
  const machine = accelerator === 'whpx' && platform === 'win32' ? 'q35,kernel-irqchip=off' : 'q35';
  // Under TCG, `max` offers RDRAND: with qemu64 the guest's entropy pool is ready only after ~22 s.
  return ['-machine', machine, '-accel', accel, '-cpu', tcg ? 'max' : 'host'];
}

/**
 * A socket QEMU serves (QMP, the serial SSH port): a Unix socket, or on Windows a named pipe, which QEMU
 * names without the `\\.\pipe\` prefix.
 */
export function serverChardev(id: string, path: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32' && isPipe(path)) return `pipe,id=${id},path=${optionValue(qemuPipeName(path))}`;
  return `socket,id=${id},path=${optionValue(path)},server=on,wait=off`;
}

export function qemuArgs(spec: MachineSpec, platform: NodeJS.Platform = process.platform): string[] {
  const forwards: string[] = [];
  if (spec.sshPort) forwards.push(`hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`);
  if (spec.directDockerPort) forwards.push(`hostfwd=tcp:127.0.0.1:${spec.directDockerPort}-:${GUEST_DIRECT_PORT}`);
  return [
    ...machineArgs(spec.image.arch, spec.accelerator, platform),
    '-smp', String(spec.cpus),
    '-m', String(spec.memoryMiB),
    '-nodefaults',
    '-no-user-config',
    '-display', 'none',
    '-no-reboot',
    '-chardev', 'stdio,id=console,signal=off',
    '-serial', 'chardev:console',
    '-chardev', serverChardev('qmp', spec.qmpSocket, platform),
    '-mon', 'chardev=qmp,mode=control',
    '-pidfile', spec.pidFile,
    '-kernel', spec.image.kernel,
    '-initrd', spec.image.initrd,
    '-append', kernelCommandLine({ ...spec, arch: spec.image.arch }),
    '-drive', `file=${optionValue(spec.image.base)},format=raw,if=virtio,readonly=on`,
    '-drive', `file=${optionValue(spec.dataDisk)},format=raw,if=virtio,cache=writeback,discard=unmap`,
    '-netdev', ['user', 'id=net0', 'ipv6=off', ...forwards].join(','),
    // No option ROM: the kernel is loaded directly, and the firmware would spend time setting up iPXE.
    '-device', 'virtio-net-pci,netdev=net0,romfile=',
    // Memory the guest frees goes back to the host (free page reporting), without the user doing anything.
    '-device', 'virtio-balloon-pci,free-page-reporting=on',
    '-device', 'virtio-serial-pci',
    '-chardev', serverChardev('ssh', spec.sshSocket, platform),
    '-device', `virtserialport,chardev=ssh,name=${SSH_SERIAL_PORT}`,
    ...shareArgs(spec.shares),
  ];
}
