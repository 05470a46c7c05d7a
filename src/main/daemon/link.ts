import type { StreamHandle, StreamListener } from '../api/client';
import { contract, isCall, isStream, unknownChannel, type CallName, type EventName, type ReplyOf, type RequestOf, type StreamName } from '../api/contract';
import { BerthError, toWire } from '../api/errors';
import { connectDaemon, type DaemonConnection } from './connect';
import type { HomePaths } from '../home';

/** Every event the contract declares; carriers relay these without knowing what they mean. */
export const eventNames = (Object.keys(contract) as (keyof typeof contract)[]).filter(
  (name): name is EventName => contract[name].kind === 'event',
);

export type EventListener = (channel: EventName, payload: unknown) => void;

/** What a front end holds of its daemon link; tests of a front end stand in for it. */
export type Link = Pick<DaemonLink, 'ready' | 'invoke' | 'forward' | 'stream' | 'onEvent' | 'onLost' | 'close'>;

/**
 * A window's way to the daemon, shared by both carriers (WebSocket and Electron IPC).
 * It connects on first use and again after the daemon went away, spawning it if needed, so a
 * window stays usable after the engine was stopped and the daemon exited or crashed.
 */
export class DaemonLink {
  private connection: Promise<DaemonConnection> | null = null;
  private closing = false;
  private readonly listeners = new Set<EventListener>();
  private readonly lostListeners = new Set<() => void>();

  constructor(
    private readonly paths: HomePaths,
    private readonly connect = connectDaemon,
  ) {}

  /** Resolves once the daemon answers; the first call spawns it when it is not running. */
  ready(): Promise<DaemonConnection> {
    if (this.closing) return Promise.reject(new BerthError('LinkClosed', 'Berth is shutting down.', 'Start Berth again.'));
    this.connection ??= this.open();
    return this.connection;
  }

  private async open(): Promise<DaemonConnection> {
    try {
      const connection = (await this.connect(this.paths, true))!;
      for (const name of eventNames) connection.client.on(name, (payload) => this.emit(name, payload));
      void connection.closed.then(() => {
        this.connection = null;
        if (!this.closing) for (const lost of this.lostListeners) lost();
      });
      return connection;
    } catch (error) {
      // Not cached: the next call tries again instead of repeating a stale failure.
      this.connection = null;
      throw error;
    }
  }

  private emit(channel: EventName, payload: unknown): void {
    for (const listener of this.listeners) listener(channel, payload);
  }

  /** One call the shell makes itself, typed by its channel. */
  async invoke<C extends CallName>(channel: C, request: RequestOf<C>): Promise<ReplyOf<C>> {
    const { client } = await this.ready();
    return client.invoke(channel, request);
  }

  /** Passes on one call from a page: its channel arrives untyped, so it is checked before anything spawns. */
  async forward(channel: unknown, request: unknown): Promise<unknown> {
    if (typeof channel !== 'string' || !isCall(channel)) {
      throw unknownChannel(channel);
    }
    const { client } = await this.ready();
    return client.invoke(channel, (request ?? {}) as never);
  }

  /** Opens one stream for a window; input written before the daemon answers is kept and sent in order. */
  stream(channel: unknown, request: unknown, listener: StreamListener<StreamName>): StreamHandle<StreamName> {
    let handle: StreamHandle<StreamName> | null = null;
    let cancelled = false;
    const early: unknown[] = [];
    const fail = (error: unknown): void => {
      if (!cancelled) listener.end(BerthError.fromWire(toWire(error)));
    };
    if (typeof channel !== 'string' || !isStream(channel)) {
      queueMicrotask(() => fail(unknownChannel(channel)));
    } else {
      this.ready().then(({ client }) => {
        if (cancelled) return;
        handle = client.stream(channel, (request ?? {}) as never, listener);
        for (const input of early.splice(0)) handle.write(input as never);
      }, fail);
    }
    return {
      write: (input) => (handle ? handle.write(input) : early.push(input)),
      cancel: () => {
        cancelled = true;
        handle?.cancel();
      },
    };
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when an established connection drops: whatever a window shows may be stale from then on. */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  /** Lets the daemon go; it keeps a running engine up, and exits on its own once the engine is down. */
  async close(): Promise<void> {
    this.closing = true;
    const connection = await this.connection?.catch(() => null);
    connection?.close();
    if (connection) await Promise.race([connection.closed, new Promise((done) => setTimeout(done, 2_000))]);
  }
}
