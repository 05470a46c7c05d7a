import { BerthError } from '../api/errors';

/**
 * The guest's architecture, in Debian's words: the image recipe, its cache and the packaged app name it so.
 * A guest of the host's own architecture runs with the host's accelerator; another one is emulated (tcg).
 */
export type GuestArch = 'amd64' | 'arm64';

export const GUEST_ARCHES: readonly GuestArch[] = ['amd64', 'arm64'];

/** The names a user may give BERTH_ARCH: Debian's, the kernel's (`uname -m`) and Node's. */
const ALIASES: Record<string, GuestArch> = {
  amd64: 'amd64',
  x86_64: 'amd64',
  x64: 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
};

/** The guest that matches the host's CPU: arm64 on Apple silicon and arm64 Linux or Windows, else amd64. */
export const nativeGuestArch = (hostArch: string = process.arch): GuestArch => (hostArch === 'arm64' ? 'arm64' : 'amd64');

/** BERTH_ARCH picks the guest's architecture on any host; otherwise the host's own. */
export function guestArch(env: NodeJS.ProcessEnv = process.env, hostArch: string = process.arch): GuestArch {
  const asked = env.BERTH_ARCH?.trim();
  if (!asked) return nativeGuestArch(hostArch);
  const arch = ALIASES[asked.toLowerCase()];
  if (!arch) {
    throw new BerthError(
      'ArchUnknown',
      `BERTH_ARCH=${asked} is not an architecture Berth has a guest for.`,
      `Set BERTH_ARCH to ${GUEST_ARCHES.join(' or ')} (or unset it for this machine's own, ${nativeGuestArch(hostArch)}).`,
    );
  }
  return arch;
}

/** What `uname -m` says inside the guest (and inside its containers). */
export const kernelMachine = (arch: GuestArch): string => (arch === 'arm64' ? 'aarch64' : 'x86_64');

/** The QEMU system emulator that runs a guest of this architecture. */
export const qemuSystem = (arch: GuestArch): string => `qemu-system-${kernelMachine(arch)}`;

/** True when the guest's CPU is the host's own, so a hardware accelerator can run it. */
export const isNative = (arch: GuestArch, hostArch: string = process.arch): boolean => nativeGuestArch(hostArch) === arch;
