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
}

/**
 * A keepalive request or its answer is a few dozen bytes; a tick that moved no more than this (per nudge
 * sent, plus one for ssh2's own liveness keepalive) saw no traffic of the link's users. Any Docker API
 * request is larger, and a smaller reply never stays behind (see SshLink).
 */
const KEEPALIVE_BYTES = 128;

/**
 * Sends something to the guest now and then while the link carries traffic, and nothing while it is idle.
 * Under TCG a reply of 1 KB or more on the serial port can stay in the guest until the host next sends
 * something (vm/README.md): a nudge every `everyMs` bounds that wait while requests come and go. An idle
 * engine then costs no guest wake-ups but the link's liveness keepalive.
 */
export class Nudger {
  private readonly timer: NodeJS.Timeout;
  private lastRead: number;
  private lastWritten: number;
  private lastTraffic: number;
  private nudgesSinceLook = 0;
  private nudgedBytes = 0;

  constructor(
    private readonly transport: Transport,
    private readonly nudge: () => void,
    private readonly options: NudgeOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastRead = transport.bytesRead;
    this.lastWritten = transport.bytesWritten;
    this.lastTraffic = now();
    this.timer = setInterval(() => this.look(), options.everyMs);
    // The link's own keepalive and sockets keep the daemon alive, never this timer.
    this.timer.unref();
  }

  /** One look at the transport: was there traffic since the last, and should a nudge go out? */
  look(): void {
    const { bytesRead, bytesWritten } = this.transport;
    const written = bytesWritten - this.lastWritten - this.nudgedBytes;
    const read = bytesRead - this.lastRead;
    const allowance = KEEPALIVE_BYTES * (this.nudgesSinceLook + 1);
    if (written > KEEPALIVE_BYTES || read > allowance) this.lastTraffic = this.now();
    this.lastRead = bytesRead;
    this.lastWritten = bytesWritten;
    this.nudgesSinceLook = 0;
    this.nudgedBytes = 0;
    if (this.options.mode === 'always' || this.now() - this.lastTraffic < this.options.graceMs) {
      const before = this.transport.bytesWritten;
      this.nudge();
      // Node counts a write as soon as it is queued, so this is exactly the nudge's own bytes.
      this.nudgedBytes = this.transport.bytesWritten - before;
      this.nudgesSinceLook = 1;
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
