import type Docker from 'dockerode';
import { eachJsonLine } from './streaming';

/** One entry of the Engine API's event stream, as far as Berth reads it. */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
}

/** The events that may change a list of `type` objects: their own, and a container coming or going (it uses them from its creation on). */
export const changesListOf =
  (type: string) =>
  (event: EngineEvent): boolean =>
    event.Type === type || (event.Type === 'container' && (event.Action === 'create' || event.Action === 'destroy'));

/**
 * The engine's event stream (containers, images, volumes, networks and plugins), followed for as long as the engine runs:
 * a stream that ends is opened again a second later.
 */
export class EngineEvents {
  private stream: (NodeJS.ReadableStream & { destroy?: () => void }) | null = null;
  private stopped = false;

  constructor(
    private readonly docker: Docker,
    private readonly listener: (event: EngineEvent) => void,
    private readonly log: (line: string) => void,
    /** Called each time the stream (re)opens: what happened while it was closed was not seen. */
    private readonly opened: () => void = () => undefined,
    /** Called each time an open stream closes: from then on, until it opens again, changes go unseen. */
    private readonly closed: () => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    try {
      const stream = (await this.docker.getEvents({ filters: { type: ['container', 'image', 'volume', 'network', 'plugin'] } })) as NodeJS.ReadableStream & { destroy?: () => void };
      if (this.stopped) return void stream.destroy?.();
      this.stream = stream;
      this.opened();
      eachJsonLine(stream, (event) => this.take(event as Partial<EngineEvent>));
      stream.on('error', () => undefined);
      stream.on('close', () => {
        this.closed();
        this.again();
      });
    } catch (error) {
      this.log(`engine events: ${(error as Error).message}`);
      this.again();
    }
  }

  private take(event: Partial<EngineEvent> | null): void {
    if (typeof event?.Type === 'string' && typeof event.Action === 'string' && typeof event.Actor?.ID === 'string') {
      this.listener(event as EngineEvent);
    }
  }

  private again(): void {
    this.stream = null;
    if (!this.stopped) setTimeout(() => void this.start(), 1000).unref();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.destroy?.();
    this.stream = null;
  }
}
