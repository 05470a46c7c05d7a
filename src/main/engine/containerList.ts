import type { ContainerChange, ContainerSummary } from '../api/containers';

function apply(rows: Map<string, ContainerSummary>, { id, container }: ContainerChange): void {
  if (container) rows.set(id, container);
  else rows.delete(id);
}

/**
 * Every container's row, kept in the daemon while the engine's event stream is open, so that a window
 * asking for the list is answered without an engine listing (under emulation one costs about 1.6 s for a
 * thousand containers). The watch's changes keep it current. While no stream is open a change could be
 * missed, so the list then holds nothing and each request lists the engine.
 */
export class ContainerList {
  private rows: Map<string, ContainerSummary> | null = null;
  /** The listing under way, and the changes seen while it runs: they are newer than it, or followed by newer ones. */
  private filling: { done: Promise<Map<string, ContainerSummary>>; changes: ContainerChange[] } | null = null;
  /** When the stream opened (performance.now()), or null while it is closed. */
  private since: number | null = null;

  constructor(
    private readonly list: () => Promise<ContainerSummary[]>,
    private readonly log: (line: string) => void,
  ) {}

  /** The event stream has opened: every change from now on reaches `changed`. Starts the listing that fills the list. */
  following(): void {
    this.since = performance.now();
    this.rows = null;
    this.filling = null;
    this.fill().catch((error: Error) => this.log(`container list: ${error.message}`));
  }

  /** The stream closed, or the engine stops: what happens from now on may go unseen. */
  lost(): void {
    this.since = null;
    this.rows = null;
    this.filling = null;
  }

  /**
   * One container's new row. `asOf` (performance.now()) is when the engine was asked for it, or when the
   * event it comes from arrived: an answer asked before the stream opened may predate a change it missed.
   */
  changed(change: ContainerChange, asOf: number): void {
    if (this.since === null || asOf < this.since) return;
    if (this.rows) apply(this.rows, change);
    else this.filling?.changes.push(change);
  }

  /** One kept row; undefined when the list is not kept or has no such container. */
  get(id: string): ContainerSummary | undefined {
    return this.rows?.get(id);
  }

  /** Every row: the kept ones when the list is current, else from a listing (which fills the list while the stream is open). */
  async all(): Promise<ContainerSummary[]> {
    if (this.rows) return [...this.rows.values()];
    if (this.since === null) return this.list();
    return [...(await this.fill()).values()];
  }

  private fill(): Promise<Map<string, ContainerSummary>> {
    if (this.filling) return this.filling.done;
    const changes: ContainerChange[] = [];
    const done = this.list().then(
      (listed) => {
        const rows = new Map(listed.map((row) => [row.id, row]));
        for (const change of changes) apply(rows, change);
        if (this.filling?.done === done) {
          this.rows = rows;
          this.filling = null;
        }
        return rows;
      },
      (error: unknown) => {
        if (this.filling?.done === done) this.filling = null;
        throw error;
      },
    );
    this.filling = { done, changes };
    return done;
  }
}
