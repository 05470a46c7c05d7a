// The installers `npm run dist` makes, and what each one is built from. electron-builder.yml names the
// staged folders with its own macros (${os}-${arch}); this module is the same naming for the scripts.
import { join } from 'node:path';
import type { Configuration } from 'electron-builder';
import type { Host } from '../../src/main/resources';
import { nativeGuestArch, type GuestArch } from '../../src/main/vm/arch';

/** electron-builder's word for each platform (its ${os} macro) beside Node's. */
export const PLATFORMS = { mac: 'darwin', win: 'win32', linux: 'linux' } as const;
export type Os = keyof typeof PLATFORMS;

export interface Target {
  os: Os;
  arch: 'x64' | 'arm64';
}

/** Every installer: dmg for Apple silicon and Intel, NSIS for x64 Windows, AppImage and .deb for x64 and arm64 Linux. */
export const TARGETS: readonly Target[] = [
  { os: 'mac', arch: 'arm64' },
  { os: 'mac', arch: 'x64' },
  { os: 'win', arch: 'x64' },
  { os: 'linux', arch: 'x64' },
  { os: 'linux', arch: 'arm64' },
];

/** The formats each platform's installers come in, as electron-builder names its targets. */
export const FORMATS: Record<Os, string[]> = { mac: ['dmg'], win: ['nsis'], linux: ['AppImage', 'deb'] };

export const targetName = (target: Target): string => `${target.os}-${target.arch}`;

/** The host an installer's app runs on, in Node's words (what src/main/resources.ts is asked with). */
export const hostOf = (target: Target): Omit<Host, 'resources'> => ({ platform: PLATFORMS[target.os], arch: target.arch });

/** The guest an installer carries: the one of its host's own architecture. */
export const guestOf = (target: Target): GuestArch => nativeGuestArch(target.arch);

/** Where `npm run dist` stages a target's resources, laid out as the app's resources folder. */
export const stageDir = (root: string, target: Target): string => join(root, 'dist', 'stage', targetName(target));

/** The Debian package with QEMU's system emulator for a guest of each architecture. */
export const DEB_QEMU: Record<GuestArch, string> = { amd64: 'qemu-system-x86', arm64: 'qemu-system-arm' };

/**
 * What `npm run dist` adds to electron-builder.yml for one target (electron-builder merges it in, lists
 * joined): the .deb's dependency on QEMU for the target's guest, which one file cannot name per arch.
 * macOS and Windows carry QEMU themselves; the AppImage finds the distribution's on PATH.
 */
export function targetConfig(target: Target): Configuration {
  if (target.os !== 'linux') return {};
  return { deb: { depends: [DEB_QEMU[guestOf(target)]] } };
}

/** The target of this machine, when `npm run dist` is given none. */
export function hostTarget(platform: NodeJS.Platform = process.platform, arch: string = process.arch): Target {
  const os = (Object.keys(PLATFORMS) as Os[]).find((key) => PLATFORMS[key] === platform);
  const target = TARGETS.find((each) => each.os === os && each.arch === arch);
  if (!target) throw new Error(`Berth has no installer for ${platform} on ${arch}; name one of ${TARGETS.map(targetName).join(', ')}.`);
  return target;
}
