import type Docker from 'dockerode';
import type { ContainerChange, ContainerSummary } from '../api/containers';
import { findContainer } from './containers';
import type { EngineEvent } from './events';

/** Replaces a running container's trailing note, "(healthy)" or "(Paused)", by `note`. */
const withNote = (status: string, note: string): string => `${status.replace(/ \([^)]*\)$/, '')}${note}`;

/**
 * The row an event implies, before any lookup: die, stop, start, restart, pause and unpause each name the
 * state the container is in now. The status text is the engine's own wording for such a change just now.
 * Kill does not: a signal may leave the container running.
 */
export function rowAfter(row: ContainerSummary, event: EngineEvent): ContainerSummary | null {
  switch (event.Action) {
    case 'die':
    case 'stop': {
      if (row.state === 'exited') return null;
      const code = event.Actor.Attributes?.exitCode;
      const status = code === undefined ? 'Exited' : `Exited (${code}) Less than a second ago`;
      // A container that does not run publishes no ports.
      return { ...row, state: 'exited', status, ports: [] };
    }
    case 'start':
    case 'restart':
      return row.state === 'running' ? null : { ...row, state: 'running', status: 'Up Less than a second' };
    case 'pause':
      return row.state === 'paused' ? null : { ...row, state: 'paused', status: withNote(row.status, ' (Paused)') };
    case 'unpause':
      return row.state !== 'paused' ? null : { ...row, state: 'running', status: withNote(row.status, '') };
    default:
      return null;
  }
}

export interface ContainerWatchOptions {
  /** How long a burst of events on one container is gathered before its lookup. */
  burstMs?: number;
  /** The container's row as last sent, when known: an event that names a new state is sent on it at once. */
  current?: (id: string) => ContainerSummary | undefined;
}

/**
 * Turns container events into changed rows. An event that names the container's new state sends the
 * row it implies at once; then, since events come in bursts (create, attach, start, ...), one lookup per
 * container per burst sends the engine's full row (status text, ports). `changed` gets each row with the
 * time (performance.now()) it is true as of: when its event arrived, or when its lookup was asked.
 */
export class ContainerWatch {
  private stopped = false;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** The newest answer per container: an older lookup that answers late must not undo a newer row. */
  private readonly newest = new Map<string, number>();
  private lookups = 0;
  private readonly burstMs: number;
  private readonly current: (id: string) => ContainerSummary | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly changed: (change: ContainerChange, asOf: number) => void,
    private readonly log: (line: string) => void,
    options: ContainerWatchOptions = {},
  ) {
    this.burstMs = options.burstMs ?? 15;
    this.current = options.current ?? (() => undefined);
  }

  seen(event: EngineEvent): void {
    const id = event.Actor.ID;
    if (this.stopped || event.Type !== 'container') return;
    this.announce(id, event);
    if (this.pending.has(id)) return;
    this.pending.set(
      id,
      setTimeout(() => {
        this.pending.delete(id);
        const lookup = ++this.lookups;
        this.newest.set(id, lookup);
        const asOf = performance.now();
        findContainer(this.docker, id).then(
          (container) => {
            if (this.stopped || this.newest.get(id) !== lookup) return;
            if (!container) this.newest.delete(id);
            this.changed({ id, container }, asOf);
          },
          (error: Error) => this.log(`container ${id.slice(0, 12)}: ${error.message}`),
        );
      }, this.burstMs),
    );
  }

  /** Sends the row the event implies; a lookup asked before it is then older than that row, so its answer is dropped. */
  private announce(id: string, event: EngineEvent): void {
    const row = this.current(id);
    const next = row && rowAfter(row, event);
    if (!next) return;
    this.newest.set(id, ++this.lookups);
    this.changed({ id, container: next }, performance.now());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}

/**
 * Sends a whole list again after an event that may change it (volumes, networks): a burst of events
 * costs one listing. Anything else done once per burst of events (a trim of the data disk) fits too.
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
    /** What a failure is logged as: by default the list of the event's type. */
    private readonly what?: string,
  ) {}

  seen(event: EngineEvent): void {
    if (!this.relevant(event) || this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.list().then(
        (list) => !this.stopped && this.changed(list),
        (error: Error) => this.log(`${this.what ?? `${event.Type} list`}: ${error.message}`),
      );
    }, this.burstMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
