import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { dirname } from 'node:path';
import { writeFileDurably } from '../durableFile';
import { thisHost, type Host } from '../resources';
import { isNative, type GuestArch } from './arch';

/**
 * The hardware accelerator each platform offers a guest of the host's own architecture, tried before
 * falling back to tcg: kvm on Linux, hvf on macOS (Intel and Apple silicon), whpx on Windows (x86_64
 * guests only: QEMU's WHPX support is for x86).
 */
export function platformAccelerator(platform: NodeJS.Platform = process.platform, arch: GuestArch = 'amd64'): string | null {
  if (platform === 'linux') return existsSync('/dev/kvm') ? 'kvm' : null;
  if (platform === 'darwin') return 'hvf';
  if (platform === 'win32') return arch === 'amd64' ? 'whpx' : null;
  return null;
}


export interface Candidate {
  name: string;
  /** Why this candidate is tried (or why the ones before it were skipped). */
  why: string;
}

export interface Verdict {
  ok: boolean;
  reason: string;
  at: string;
}

/** Verdicts per QEMU binary and host kernel. */
type VerdictFile = Record<string, Record<string, Verdict>>;

/**
 * Verdicts are kept per QEMU binary and host kernel: a hang is only waited for once. Whether an
 * accelerator works is the host's and QEMU's affair, so a new guest image (every Berth update) does not
 * wait for a known hang again; a new QEMU or host kernel is tried afresh.
 */
export class VerdictStore {
  constructor(
    private readonly path: string,
    private readonly key: string,
  ) {}

  static keyFor(qemu: string, hostKernel = release()): string {
    return `${qemu}@${statSync(qemu).mtimeMs}:${hostKernel}`;
  }

  private readAll(): VerdictFile {
    try {
      const file = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      return typeof file === 'object' && file !== null && !('verdicts' in file) ? (file as VerdictFile) : {};
    } catch {
      return {};
    }
  }

  read(): Record<string, Verdict> {
    return this.readAll()[this.key] ?? {};
  }

  record(name: string, verdict: Verdict): void {
    const all = this.readAll();
    // The newest few keys are enough: older ones name images or QEMU builds long replaced.
    const kept = Object.entries(all).filter(([key]) => key !== this.key).slice(-7);
    const next = Object.fromEntries([...kept, [this.key, { ...all[this.key], [name]: verdict }]]);
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileDurably(this.path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  }
}

/**
 * The accelerators to try, in order. BERTH_ACCEL (comma separated) forces a list and ignores
 * earlier verdicts; tcg always ends the list because it works everywhere.
 */
export function candidates(env: NodeJS.ProcessEnv, verdicts: Record<string, Verdict>, arch: GuestArch, host: Pick<Host, 'platform' | 'arch'> = thisHost()): {
  list: Candidate[];
  skipped: string | null;
} {
  const { platform } = host;
  const forced = env.BERTH_ACCEL?.split(',').map((name) => name.trim()).filter(Boolean);
  if (forced?.length) {
    const list = forced.map((name) => ({ name, why: 'BERTH_ACCEL' }));
    if (!forced.includes('tcg')) list.push({ name: 'tcg', why: 'fallback' });
    return { list, skipped: null };
  }
  if (!isNative(arch, host.arch)) {
    const why = `an ${arch} guest on an ${host.arch} host is emulated`;
    return { list: [{ name: 'tcg', why }], skipped: why };
  }
  const hardware = platformAccelerator(platform, arch);
  if (!hardware) {
    const why = platform === 'linux' ? 'no /dev/kvm on this machine' : `no hardware accelerator for ${arch} guests on ${platform}`;
    return { list: [{ name: 'tcg', why }], skipped: why };
  }
  const earlier = verdicts[hardware];
  if (earlier && !earlier.ok) {
    const skipped = `${hardware} failed at ${earlier.at}: ${earlier.reason} (BERTH_ACCEL=${hardware} tries it again)`;
    return { list: [{ name: 'tcg', why: skipped }], skipped };
  }
  return { list: [{ name: hardware, why: 'platform accelerator' }, { name: 'tcg', why: 'fallback' }], skipped: null };
}

/** How long a hardware accelerator gets to reach the guest's first line before it counts as hung. */
export function handshakeDeadlineMs(accelerator: string, env = process.env): number {
  if (accelerator === 'tcg') return 60_000;
  const configured = Number(env.BERTH_ACCEL_DEADLINE_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : 3_000;
}
