import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import ssh2, { type ClientChannel, type ConnectConfig } from 'ssh2';
import { BerthError } from '../api/errors';
import { writeFileDurably } from '../durableFile';
import { Nudger } from './nudge';
import { dialSerial } from './serialDial';
import { SessionTransport } from './sessionTransport';

const { Client } = ssh2;
type Client = InstanceType<typeof ssh2.Client>;

export interface LinkOptions {
  /** The guest's serial SSH port (QEMU's Unix socket), or sshd's TCP port forwarded to the host's loopback. */
  to: { serialSocket: string } | { port: number };
  privateKey: string;
  ciphers: string[];
  /** Where the guest's host key fingerprint is pinned on first contact. */
  knownHostFile: string;
  log: (line: string) => void;
  /** On the serial port: `always` nudges the guest every 200 ms even when idle (benchmarks' baseline). */
  nudge?: 'adaptive' | 'always';
}

const BACKOFF_MS = [50, 100, 200, 400, 800, 1600, 3200, 5000];
/** A fresh sshd sends its banner as soon as the host connects; waiting longer only finds a stale one. */
const SERIAL_BANNER_MS = 2_000;
/**
 * One handshake's bound. On the serial port the guest's part of the handshake can stay in the guest until
 * the host sends again (see SERIAL_NUDGE), and before the handshake ends the host has nothing it may send:
 * such an attempt would wait forever, so it is dropped (which ends its sshd) and the next one starts fresh.
 */
const HANDSHAKE_MS = 8_000;
/**
 * SSH keepalives: an emulated guest can stall for seconds under load, and dropping the link then would
 * break every docker command in flight, so 15 s pass without an answer before it counts as lost (a
 * closed socket or QEMU's exit is noticed at once). On the serial port the link's Nudger sends them
 * instead of ssh2, so that a suspend can stop them (see `freeze`).
 */
const KEEPALIVE = { keepaliveInterval: 5_000, keepaliveCountMax: 3 };
/**
 * On the serial port, under TCG a reply of 1 KB or more now and then stays in the guest until the host
 * next sends something (vm/README.md): while requests come and go the host sends a keepalive every 200 ms
 * (a Nudger), and for a while after the last, since a request may take long to answer. An idle link sends
 * only the liveness keepalive: every nudge wakes the guest and QEMU.
 */
const SERIAL_NUDGE = { everyMs: 200, graceMs: 30_000, aliveMs: KEEPALIVE.keepaliveInterval, silentMs: KEEPALIVE.keepaliveInterval * KEEPALIVE.keepaliveCountMax };
/**
 * Where nothing listens in the guest: opening a channel to it is a round trip that only sshd answers (no
 * process starts), and its answer comes after everything the host sent before it was read.
 */
const NOWHERE = '/run/berth/nothing-listens-here';

/**
 * Sends one keepalive request now. ssh2 sends them only on its own timer and has no public call for one,
 * so this reaches its protocol object; its answer is taken by ssh2 like any keepalive's.
 */
function keepaliveOf(client: Client): () => void {
  const protocol: unknown = Reflect.get(client, '_protocol');
  if (typeof protocol !== 'object' || protocol === null || !('ping' in protocol) || typeof protocol.ping !== 'function') {
    throw new Error('this ssh2 has no protocol object with ping(): the serial link cannot send its keepalives');
  }
  const ping = protocol.ping;
  return () => void ping.call(protocol);
}

/** Why the link went down when the guest stopped answering its keepalives. */
export const UNANSWERED = 'the guest stopped answering';

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64')}`;
}

/** A fingerprint as `fingerprint` writes it: SHA-256 in base64, 44 characters with the padding. */
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=$/;

/** The pinned fingerprint, or null when there is none to compare with (no file, or one cut short by a crash). */
function readPin(file: string): string | null {
  try {
    const pinned = readFileSync(file, 'utf8').trim();
    return FINGERPRINT.test(pinned) ? pinned : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The guest answered with another host key than the one pinned: retrying cannot help, the user must decide. */
function hostKeyMismatch(file: string, pinned: string, seen: string, where: string): BerthError {
  return new BerthError(
    'GuestHostKeyChanged',
    `The guest's SSH host key ${seen} is not the one pinned in ${file} (${pinned}), so Berth did not connect to ${where}.`,
    'The guest keeps its host key on its data disk, so it changes only when that disk was replaced or restored from ' +
      `elsewhere. If you did that, remove ${file} and start again: Berth pins the new key. If not, stop Berth and ` +
      `check what else answers on ${where}.`,
  );
}

/**
 * One long-lived SSH connection to the guest. When it drops it reconnects with backoff; callers ask
 * for `client()` and wait through a reconnect instead of failing.
 */
export class SshLink extends EventEmitter<{ up: []; down: [string] }> {
  private connected: Client | null = null;
  /** On the serial port: the connected client's transport, its keepalives, and how it is given up when the guest goes silent. */
  private serial: { transport: SessionTransport; nudger: Nudger | null; silent: () => void } | null = null;
  private waiters: Array<{ resolve: (client: Client) => void; reject: (error: Error) => void }> = [];
  private closed = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Set when the guest showed a host key other than the pinned one: no reconnect is tried after it. */
  private refused: BerthError | null = null;

  constructor(private readonly options: LinkOptions) {
    super();
  }

  /** Forgets the pinned host key: the guest made a new one because its data disk is new. */
  static forgetHostKey(file: string): void {
    rmSync(file, { force: true });
  }

  /**
   * Trust on first contact: the first host key seen is pinned, later ones must match it. A pin file that
   * holds no fingerprint (a crash cut it short) is pinned anew: whoever can damage it could remove it too.
   */
  private verifyHost(key: Buffer): boolean {
    const seen = fingerprint(key);
    const file = this.options.knownHostFile;
    const pinned = readPin(file);
    if (pinned === null) {
      writeFileDurably(file, `${seen}\n`, 0o600);
      return true;
    }
    if (pinned === seen) return true;
    const to = this.options.to;
    this.refused = hostKeyMismatch(file, pinned, seen, 'port' in to ? `127.0.0.1:${to.port}` : to.serialSocket);
    this.options.log(this.refused.message);
    return false;
  }

  /** Connects, retrying until `deadline` (sshd may still be starting). */
  async open(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    // Every distinct reason, in order: the last attempt's alone (a busy port, say) may hide the real one.
    const reasons = new Set<string>();
    while (Date.now() < until && !this.closed) {
      try {
        this.adopt(...(await this.dial(Math.min(HANDSHAKE_MS, Math.max(1_000, until - Date.now())))));
        return;
      } catch (error) {
        if (this.refused) throw this.refused;
        reasons.add((error as Error).message);
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    // The start step that called this knows which log to point at.
    const why = reasons.size > 0 ? [...reasons].join('; ') : 'no attempt';
    throw new Error(`the guest's SSH server did not accept Berth's key: ${why}`);
  }

  /** A connected client, with its transport when it goes over the serial port. */
  private async dial(timeoutMs: number): Promise<[Client, SessionTransport | null]> {
    const to = this.options.to;
    let serial: SessionTransport | null = null;
    let transport: ConnectConfig;
    if ('port' in to) transport = { host: '127.0.0.1', port: to.port, ...KEEPALIVE };
    else {
      serial = new SessionTransport(await dialSerial(to.serialSocket, Math.min(timeoutMs, SERIAL_BANNER_MS)));
      transport = { sock: serial, keepaliveInterval: 0 };
    }
    return new Promise((resolve, reject) => {
      const client = new Client();
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        client.end();
        reject(error);
      };
      client.once('ready', () => {
        settled = true;
        resolve([client, serial]);
      });
      // ssh2 may report one failure twice, and a connection that closes after the banner with no error
      // at all (its handshake timer stops with the socket).
      client.on('error', fail);
      client.once('close', () => fail(new Error('the connection closed before the SSH handshake finished')));
      client.connect({
        ...transport,
        username: 'root',
        privateKey: this.options.privateKey,
        readyTimeout: timeoutMs,
        hostVerifier: (key: Buffer) => this.verifyHost(key),
        algorithms: { cipher: this.options.ciphers as never, compress: ['none'] },
      });
    });
  }

  private adopt(client: Client, transport: SessionTransport | null): void {
    // Docker API calls are small requests and replies: Nagle's algorithm would only delay them.
    client.setNoDelay(true);
    this.connected = client;
    this.attempt = 0;
    let unanswered = false;
    if (transport) {
      const silent = (): void => {
        unanswered = true;
        this.options.log(`ssh: the guest did not answer its keepalives for ${SERIAL_NUDGE.silentMs / 1000} s`);
        client.destroy();
      };
      this.serial = { transport, nudger: null, silent };
      this.startNudging(client);
    }
    client.on('error', (error: Error & { level?: string }) => {
      // ssh2's keepalive gave up: the guest stopped answering, as opposed to closing the connection.
      if (error.level === 'client-timeout') unanswered = true;
      this.options.log(`ssh: ${error.message}`);
    });
    client.once('close', () => {
      if (this.connected !== client) return;
      this.serial?.nudger?.stop();
      this.connected = null;
      this.serial = null;
      if (this.closed) return;
      this.emit('down', unanswered ? UNANSWERED : 'connection closed');
      this.options.log('ssh connection lost; reconnecting');
      this.scheduleReconnect();
    });
    this.emit('up');
    for (const waiter of this.waiters.splice(0)) waiter.resolve(client);
  }

  private startNudging(client: Client): void {
    if (!this.serial) return;
    this.serial.nudger = new Nudger(this.serial.transport, { nudge: keepaliveOf(client), silent: this.serial.silent }, { ...SERIAL_NUDGE, mode: this.options.nudge ?? 'adaptive' });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.dial(5_000).then(
        ([client, transport]) => {
          if (this.closed) client.end();
          else {
            this.options.log(`ssh reconnected after ${this.attempt} attempt(s)`);
            this.adopt(client, transport);
          }
        },
        (error: Error) => {
          this.options.log(`ssh reconnect failed: ${error.message}`);
          if (this.refused) {
            for (const waiter of this.waiters.splice(0)) waiter.reject(this.refused);
            return;
          }
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  /** The live connection, waiting up to `waitMs` for a reconnect. */
  client(waitMs = 10_000): Promise<Client> {
    if (this.connected) return Promise.resolve(this.connected);
    if (this.closed) return Promise.reject(new Error('the SSH link is closed'));
    if (this.refused) return Promise.reject(this.refused);
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (client: Client) => {
          clearTimeout(timer);
          resolve(client);
        },
        reject,
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((entry) => entry !== waiter);
        reject(new Error(`no SSH connection to the guest within ${waitMs} ms`));
      }, waitMs);
      this.waiters.push(waiter);
    });
  }

  /** Opens a channel to a Unix socket in the guest. */
  async streamLocal(remotePath: string): Promise<ClientChannel> {
    const client = await this.client();
    return new Promise((resolve, reject) =>
      client.openssh_forwardOutStreamLocal(remotePath, (error, channel) => (error ? reject(error) : resolve(channel))),
    );
  }

  /**
   * One round trip through the guest's sshd: a channel to where nothing listens, which sshd refuses. Its
   * answer comes after everything sent before it was read; `answered` runs the moment it arrives, before
   * anything else can be sent.
   */
  private roundTrip(client: Client, timeoutMs: number, answered: () => void = () => undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new Error(`the guest's sshd did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      client.openssh_forwardOutStreamLocal(NOWHERE, (error, channel) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        answered();
        if (!error) channel.close();
        resolve();
      });
    });
  }

  /**
   * Keeps the session through a suspend. Once the guest has read everything sent so far, what the session
   * sends waits (in order) for `thaw`, its keepalives stop, and the serial socket may end with QEMU: the
   * guest is saved mid-session, and its sshd goes on with the same session once it runs again.
   */
  async freeze(timeoutMs = 5_000): Promise<void> {
    const client = this.connected;
    const serial = this.serial;
    if (!client || !serial) throw new Error('only a connected link over the serial port can be kept through a suspend');
    serial.nudger?.stop();
    serial.nudger = null;
    try {
      await this.roundTrip(client, timeoutMs, () => serial.transport.freeze());
    } catch (error) {
      this.startNudging(client);
      throw error;
    }
  }

  /** Goes on after `freeze`, over `socket` (the resumed QEMU's serial port) or, when the suspend did not happen, the same one. */
  thaw(socket?: Socket): void {
    const client = this.connected;
    if (!client || !this.serial?.transport.isFrozen) {
      // Nothing to go on with: a socket brought for it would only hold the serial port.
      socket?.destroy();
      return;
    }
    this.serial.transport.thaw(socket);
    this.startNudging(client);
  }

  /** Whether the session answers within `timeoutMs`: after a resume, the guest's sshd may not be the one it was. */
  async answers(timeoutMs: number): Promise<boolean> {
    const client = this.connected;
    if (!client) return false;
    return this.roundTrip(client, timeoutMs).then(
      () => true,
      () => false,
    );
  }

  /** Drops the connection and waits for the next one (the link reconnects on its own), up to `waitMs`. */
  async renew(waitMs: number): Promise<void> {
    this.connected?.destroy();
    await this.client(waitMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('the SSH link is closed'));
    // A frozen session's last words could never reach the guest: it is cut off instead.
    if (this.serial?.transport.isFrozen) this.connected?.destroy();
    else this.connected?.end();
    this.connected = null;
    this.serial = null;
  }
}
