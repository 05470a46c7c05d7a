/** What a Nudger reads of the link's transport: the byte counters of a net.Socket. */
export interface Transport {
  readonly bytesRead: number;
  readonly bytesWritten: number;
}

export interface NudgeOptions {
  /** How often the transport is looked at, and a nudge sent while traffic is recent. */
  everyMs: number;
  /** How long after the last traffic the nudges go on. */
  graceMs: number;
  /** `always`: a nudge on every look, traffic or not (the link's behaviour before it adapted). */
  mode: 'adaptive' | 'always';
  /** How long an idle link goes without a nudge: each is also the link's liveness keepalive, which sshd answers. */
  aliveMs: number;
  /** How long the guest may stay silent, keepalives unanswered, before the link counts it as gone. */
  silentMs: number;
}

/** What a Nudger does: send a keepalive, and say that the guest stopped answering them. */
export interface NudgeActions {
  nudge: () => void;
  silent: () => void;
}

/**
 * A keepalive request or its answer is a few dozen bytes; a tick that moved no more than this (per nudge
 * sent, plus one for an answer that comes a tick late) saw no traffic of the link's users. Any Docker API
 * request is larger, and a smaller reply never stays behind (see SshLink).
 */
const KEEPALIVE_BYTES = 128;

/**
 * Sends something to the guest now and then while the link carries traffic, and little while it is idle.
 * Under TCG a reply of 1 KB or more on the serial port can stay in the guest until the host next sends
 * something (vm/README.md): a nudge every `everyMs` bounds that wait while requests come and go. An idle
 * engine costs no guest wake-ups but one keepalive every `aliveMs`, which is also how a guest that stopped
 * answering is noticed (the link's own timers, not ssh2's: a suspend stops them, see SshLink.freeze).
 */
export class Nudger {
  private readonly timer: NodeJS.Timeout;
  private lastRead: number;
  private lastWritten: number;
  private lastTraffic: number;
  private lastHeard: number;
  private lastNudge: number;
  private nudgesSinceLook = 0;
  private nudgedBytes = 0;

  constructor(
    private readonly transport: Transport,
    private readonly actions: NudgeActions,
    private readonly options: NudgeOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastRead = transport.bytesRead;
    this.lastWritten = transport.bytesWritten;
    this.lastTraffic = this.lastHeard = this.lastNudge = now();
    this.timer = setInterval(() => this.look(), options.everyMs);
    // The link's own keepalive and sockets keep the daemon alive, never this timer.
    this.timer.unref();
  }

  /** One look at the transport: was there traffic since the last, is the guest still there, and should a nudge go out? */
  look(): void {
    const { bytesRead, bytesWritten } = this.transport;
    const now = this.now();
    const written = bytesWritten - this.lastWritten - this.nudgedBytes;
    const read = bytesRead - this.lastRead;
    const allowance = KEEPALIVE_BYTES * (this.nudgesSinceLook + 1);
    if (written > KEEPALIVE_BYTES || read > allowance) this.lastTraffic = now;
    if (read > 0) this.lastHeard = now;
    this.lastRead = bytesRead;
    this.lastWritten = bytesWritten;
    this.nudgesSinceLook = 0;
    this.nudgedBytes = 0;
    if (now - this.lastHeard > this.options.silentMs) {
      this.stop();
      this.actions.silent();
      return;
    }
    const busy = this.options.mode === 'always' || now - this.lastTraffic < this.options.graceMs;
    if (busy || now - this.lastNudge >= this.options.aliveMs) {
      const before = this.transport.bytesWritten;
      this.actions.nudge();
      this.lastNudge = now;
      // Node counts a write as soon as it is queued, so this is exactly the nudge's own bytes.
      this.nudgedBytes = this.transport.bytesWritten - before;
      this.nudgesSinceLook = 1;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
