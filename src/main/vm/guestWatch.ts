import { runInGuest } from '../tunnel/guestCommand';
import { UNANSWERED, type SshLink } from '../tunnel/link';

/**
 * A link that closed and is not back within this long is a guest that does not answer. One the guest stopped
 * answering (15 s without a keepalive's reply) counts at once.
 */
export const NOT_RESPONDING_AFTER_MS = 3_000;
/** How often the host's wall clock is compared with its monotonic one: a jump between them is a sleep. */
const CLOCK_CHECK_MS = 5_000;
/** A guest clock this far from the host's is set again. */
const CLOCK_TOLERANCE_MS = 250;

/**
 * Sets the guest's clock from the host's when they differ: after the host slept, or the VM was frozen, the
 * guest runs behind by that long, and TLS, registry tokens and log times go wrong. Returns the guest's
 * offset found before, in ms (positive: ahead).
 */
export async function syncGuestClock(link: SshLink): Promise<number> {
  const hint = 'The guest keeps its own time until the next start.';
  const asked = Date.now();
  const said = Number((await runInGuest(link, 'date +%s.%N', { hint, timeoutMs: 10_000 })).trim()) * 1000;
  const half = (Date.now() - asked) / 2;
  const offset = said - (asked + half);
  if (Math.abs(offset) > CLOCK_TOLERANCE_MS) {
    // The new time is sent ahead by half the round trip: roughly when the guest will read it.
    await runInGuest(link, `date -s @${((Date.now() + half) / 1000).toFixed(3)} >/dev/null`, { hint, timeoutMs: 10_000 });
  }
  return Math.round(offset);
}

/**
 * Watches a running guest over its link: reports when it stops answering and when it answers again, and
 * sets its clock after anything that leaves it behind (a host sleep, a freeze, a hang).
 */
export class GuestWatch {
  private lostTimer: NodeJS.Timeout | null = null;
  private responding = true;
  private readonly clockTimer: NodeJS.Timeout;
  private wall = Date.now();
  private mono = performance.now();
  private readonly onDown = (why: string): void => {
    const lost = (): void => {
      this.lostTimer = null;
      if (!this.responding) return;
      this.responding = false;
      this.onChange(false);
    };
    if (why === UNANSWERED) lost();
    else this.lostTimer ??= setTimeout(lost, NOT_RESPONDING_AFTER_MS);
  };
  private readonly onUp = (): void => {
    if (this.lostTimer) clearTimeout(this.lostTimer);
    this.lostTimer = null;
    if (this.responding) return;
    this.responding = true;
    this.onChange(true);
    this.setClock('the guest answers again');
  };

  constructor(
    private readonly link: SshLink,
    private readonly log: (line: string) => void,
    private readonly onChange: (responding: boolean) => void,
  ) {
    link.on('down', this.onDown);
    link.on('up', this.onUp);
    this.clockTimer = setInterval(() => this.checkClock(), CLOCK_CHECK_MS);
    this.clockTimer.unref();
  }

  private checkClock(): void {
    const wall = Date.now();
    const mono = performance.now();
    const jump = wall - this.wall - (mono - this.mono);
    this.wall = wall;
    this.mono = mono;
    if (Math.abs(jump) > 2_000) this.setClock(`the host's clock jumped ${(jump / 1000).toFixed(1)} s (a sleep)`);
  }

  setClock(why: string): void {
    syncGuestClock(this.link).then(
      (offset) => this.log(`guest clock checked (${why}): it was ${(offset / 1000).toFixed(3)} s off${Math.abs(offset) > CLOCK_TOLERANCE_MS ? '; set from the host' : ''}`),
      (error: Error) => this.log(`guest clock not set (${why}): ${error.message}`),
    );
  }

  stop(): void {
    this.link.off('down', this.onDown);
    this.link.off('up', this.onUp);
    if (this.lostTimer) clearTimeout(this.lostTimer);
    clearInterval(this.clockTimer);
  }
}
