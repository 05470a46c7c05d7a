import type Docker from 'dockerode';

/** One entry of the Engine API's event stream, as far as Berth reads it. */
export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
}

/**
 * The engine's event stream (containers and volumes), followed for as long as the engine runs:
 * a stream that ends is opened again a second later.
 */
export class EngineEvents {
  private stream: (NodeJS.ReadableStream & { destroy?: () => void }) | null = null;
  private stopped = false;

  constructor(
    private readonly docker: Docker,
    private readonly listener: (event: EngineEvent) => void,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    try {
      const stream = (await this.docker.getEvents({ filters: { type: ['container', 'volume'] } })) as NodeJS.ReadableStream & { destroy?: () => void };
      if (this.stopped) return void stream.destroy?.();
      this.stream = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.parse(line);
      });
      stream.on('error', () => undefined);
      stream.on('close', () => this.again());
    } catch (error) {
      this.log(`engine events: ${(error as Error).message}`);
      this.again();
    }
  }

  private parse(line: string): void {
    if (!line.trim()) return;
    try {
      const event = JSON.parse(line) as Partial<EngineEvent>;
      if (typeof event.Type === 'string' && typeof event.Action === 'string' && typeof event.Actor?.ID === 'string') {
        this.listener(event as EngineEvent);
      }
    } catch {
      // not an event: ignored
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
