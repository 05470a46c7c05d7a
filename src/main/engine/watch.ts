import type Docker from 'dockerode';
import type { ContainerSummary } from '../api/containers';
import { findContainer } from './containers';

type Changed = (change: { id: string; container: ContainerSummary | null }) => void;

/**
 * Follows the engine's event stream and reports each container that changed, with its new row.
 * Events come in bursts (create, attach, start, ...): one lookup per container per burst.
 */
export class ContainerWatch {
  private stream: NodeJS.ReadableStream | null = null;
  private stopped = false;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The newest lookup per container: an older one that answers late must not undo a newer row. */
  private readonly newest = new Map<string, number>();
  private lookups = 0;

  constructor(
    private readonly docker: Docker,
    private readonly changed: Changed,
    private readonly log: (line: string) => void,
    private readonly burstMs = 15,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    try {
      const stream = await this.docker.getEvents({ filters: { type: ['container'] } });
      if (this.stopped) return void (stream as unknown as { destroy(): void }).destroy();
      this.stream = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) this.onLine(line);
      });
      stream.on('error', () => undefined);
      stream.on('close', () => this.again());
    } catch (error) {
      this.log(`container events: ${(error as Error).message}`);
      this.again();
    }
  }

  private again(): void {
    this.stream = null;
    if (!this.stopped) setTimeout(() => void this.start(), 1000).unref();
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let id: unknown;
    try {
      id = (JSON.parse(line) as { Actor?: { ID?: unknown } }).Actor?.ID;
    } catch {
      return;
    }
    if (typeof id !== 'string' || this.pending.has(id)) return;
    this.pending.set(
      id,
      setTimeout(() => {
        this.pending.delete(id);
        const lookup = ++this.lookups;
        this.newest.set(id, lookup);
        findContainer(this.docker, id).then(
          (container) => {
            if (this.stopped || this.newest.get(id) !== lookup) return;
            if (!container) this.newest.delete(id);
            this.changed({ id, container });
          },
          (error: Error) => this.log(`container ${id.slice(0, 12)}: ${error.message}`),
        );
      }, this.burstMs),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
    (this.stream as unknown as { destroy?: () => void } | null)?.destroy?.();
    this.stream = null;
  }
}
