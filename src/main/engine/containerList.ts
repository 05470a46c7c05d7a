import type { ContainerChange, ContainerSummary } from '../api/containers';

type Rows = Map<string, ContainerSummary>;

function apply(rows: Rows, { id, container }: ContainerChange): void {
  if (container) rows.set(id, container);
  else rows.delete(id);
}

const same = (a: ContainerSummary, b: ContainerSummary): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Every container's row, kept in the daemon while the engine's event stream is open, so that a window
 * asking for the list is answered without an engine listing (under emulation one costs about 1.6 s for a
 * thousand containers). The watch's changes keep it current. While no stream is open a change could be
 * missed, so the list then holds nothing and each request lists the engine.
 *
 * A row's status text says how long ago ("Up 5 minutes", "Exited (0) 2 hours ago"), which no event
 * updates: each answer from the kept rows also starts a listing in the background, and the rows it
 * finds different go out through `refreshed`, as changes do.
 */
export class ContainerList {
  private rows: Rows | null = null;
  /** The listing under way, and the changes seen while it runs: they are newer than it, or followed by newer ones. */
  private listing: { done: Promise<Rows>; changes: ContainerChange[] } | null = null;
  /** When the stream opened (performance.now()), or null while it is closed. */
  private since: number | null = null;
  /** Counts the stream's openings and closings: a listing from an earlier one is not kept. */
  private epoch = 0;

  constructor(
    private readonly list: () => Promise<ContainerSummary[]>,
    private readonly refreshed: (change: ContainerChange) => void,
    private readonly log: (line: string) => void,
    /** Adds to a row what the listing does not tell (its findings), as it goes out: kept rows stay as listed. */
    private readonly dress: (row: ContainerSummary) => ContainerSummary = (row) => row,
  ) {}

  /** The event stream has opened: every change from now on reaches `changed`. Starts the listing that fills the list. */
  following(): void {
    this.reset(performance.now());
    this.fill().catch((error: Error) => this.log(`container list: ${error.message}`));
  }

  /** The stream closed, or the engine stops: what happens from now on may go unseen. */
  lost(): void {
    this.reset(null);
  }

  private reset(since: number | null): void {
    this.since = since;
    this.epoch += 1;
    this.rows = null;
    this.listing = null;
  }

  /**
   * One container's new row. `asOf` (performance.now()) is when the engine was asked for it, or when the
   * event it comes from arrived: an answer asked before the stream opened may predate a change it missed.
   */
  changed(change: ContainerChange, asOf: number): void {
    if (this.since === null || asOf < this.since) return;
    if (this.rows) apply(this.rows, change);
    this.listing?.changes.push(change);
  }

  /** One kept row; undefined when the list is not kept or has no such container. */
  get(id: string): ContainerSummary | undefined {
    const row = this.rows?.get(id);
    return row && this.dress(row);
  }

  /** The kept rows as they are, without asking the engine (nor dressed); null while the list is not kept. */
  kept(): ContainerSummary[] | null {
    return this.rows ? [...this.rows.values()] : null;
  }

  /** Every row: the kept ones when there are, else from a listing (which fills the list while the stream is open). */
  async all(): Promise<ContainerSummary[]> {
    if (this.rows) {
      const rows = [...this.rows.values()].map(this.dress);
      this.refresh();
      return rows;
    }
    if (this.since === null) return (await this.list()).map(this.dress);
    return [...(await this.fill()).values()].map(this.dress);
  }

  /** One listing (one at a time), with the changes seen while it ran put over it. */
  private relist(): Promise<Rows> {
    if (this.listing) return this.listing.done;
    const changes: ContainerChange[] = [];
    const done = this.list().then((listed) => {
      const rows = new Map(listed.map((row) => [row.id, row]));
      for (const change of changes) apply(rows, change);
      return rows;
    });
    const listing = { done, changes };
    this.listing = listing;
    const finished = (): void => {
      if (this.listing === listing) this.listing = null;
    };
    done.then(finished, finished);
    return done;
  }

  private async fill(): Promise<Rows> {
    const epoch = this.epoch;
    const rows = await this.relist();
    if (this.epoch === epoch && !this.rows) this.rows = rows;
    return rows;
  }

  /** Lists the engine again and sends each row that differs from the kept one (its status text, mostly). */
  private refresh(): void {
    if (this.listing) return;
    const epoch = this.epoch;
    this.relist().then(
      (fresh) => {
        const kept = this.rows;
        if (this.epoch !== epoch || !kept) return;
        this.rows = fresh;
        for (const [id, row] of fresh) {
          const before = kept.get(id);
          // Both dressed: a kept row may hold what the listing does not tell.
          const dressed = this.dress(row);
          if (!before || !same(this.dress(before), dressed)) this.refreshed({ id, container: dressed });
        }
        for (const id of kept.keys()) if (!fresh.has(id)) this.refreshed({ id, container: null });
      },
      (error: Error) => this.log(`container list: ${error.message}`),
    );
  }
}
