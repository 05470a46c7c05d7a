import type Docker from 'dockerode';
import type { ContainerChange } from '../api/containers';
import { findContainer } from './containers';
import type { EngineEvent } from './events';

/**
 * Turns container events into changed rows. Events come in bursts (create, attach, start, ...):
 * one lookup per container per burst.
 */
export class ContainerWatch {
  private stopped = false;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The newest lookup per container: an older one that answers late must not undo a newer row. */
  private readonly newest = new Map<string, number>();
  private lookups = 0;

  constructor(
    private readonly docker: Docker,
    private readonly changed: (change: ContainerChange) => void,
    private readonly log: (line: string) => void,
    private readonly burstMs = 15,
  ) {}

  seen(event: EngineEvent): void {
    const id = event.Actor.ID;
    if (this.stopped || event.Type !== 'container' || this.pending.has(id)) return;
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
  }
}

/**
 * Sends a whole list again after an event that may change it (volumes, networks): a burst of events
 * costs one listing.
 */
export class RelistWatch<T> {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly relevant: (event: EngineEvent) => boolean,
    private readonly list: () => Promise<T>,
    private readonly changed: (list: T) => void,
    private readonly log: (line: string) => void,
    private readonly burstMs = 50,
  ) {}

  seen(event: EngineEvent): void {
    if (!this.relevant(event) || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.list().then(
        (list) => !this.stopped && this.changed(list),
        (error: Error) => this.log(`${event.Type} list: ${error.message}`),
      );
    }, this.burstMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
