import type Docker from 'dockerode';
import type { ContainerPosture, ContainerSummary } from '../api/containers';
import type { PostureFinding } from '../api/posture';
import { refusal } from './client';
import type { EngineEvent } from './events';
import { configFindings, imageAgeFinding, type PostureInspect } from './posture';

/** Where the book reads a container's posture from: the engine, or a test's fakes. */
export interface PostureSource {
  /** The container's inspect answer (`Image` is its image's id), or null when there is no such container. */
  container(id: string): Promise<(PostureInspect & { Image: string }) | null>;
  /** When an image was created (RFC 3339), or null when there is no such image. */
  imageCreated(imageId: string): Promise<string | null>;
}

export function enginePosture(docker: Docker): PostureSource {
  return {
    container: async (id) => {
      try {
        return await docker.getContainer(id).inspect();
      } catch (error) {
        if (refusal(error).status === 404) return null;
        throw error;
      }
    },
    imageCreated: async (imageId) => {
      try {
        return (await docker.getImage(imageId).inspect()).Created;
      } catch (error) {
        // Removed by force while a container still uses it: its age is not known.
        if (refusal(error).status === 404) return null;
        throw error;
      }
    },
  };
}

/** At most this many inspects at once: a thousand containers read on the first listing must not open a thousand connections. */
const READERS = 4;

interface Known {
  /** The findings of its configuration, which only `docker update` changes. */
  config: PostureFinding[];
  imageCreated: string | null;
}

interface Reading {
  done: Promise<void>;
  /** Why it could not be read, once done. */
  error: Error | null;
  /** The container changed while it was read (an update): read it again after. */
  again: boolean;
  /** The container was removed while it was read: keep nothing. */
  dropped: boolean;
}

/**
 * Every container's security posture, read once from its inspect (and its image's creation date) and kept by
 * id while the engine runs, so that listing a thousand containers costs no inspect once they are read. A
 * container's configuration changes only by `docker update`, whose event has it read again; its image's age
 * is reckoned at each answer. `read` is told of each container whose findings are new.
 */
export class PostureBook {
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Reading>();
  private readonly images = new Map<string, Promise<string | null>>();
  /** Known before the events were lost: an update may have been missed, so each is read again when next asked for. */
  private readonly stale = new Set<string>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private stopped = false;

  constructor(
    private readonly source: PostureSource,
    private readonly read: (id: string) => void,
    private readonly log: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The container's findings as known now; null while unread, and then it is read in the background. */
  findings(id: string): PostureFinding[] | null {
    const known = this.known.get(id);
    if (this.stale.delete(id) || !known) this.startReading(id, true);
    return known ? this.compose(known) : null;
  }

  /** The container's findings, read first when they are not known; null when there is no such container. */
  async settled(id: string): Promise<PostureFinding[] | null> {
    const reading = this.startReading(id, this.stale.delete(id));
    if (reading) await reading.done;
    if (reading?.error) throw reading.error;
    const known = this.known.get(id);
    return known ? this.compose(known) : null;
  }

  /** Every listed container with its findings, each read first when need be; those removed meanwhile are left out. */
  async every(rows: ContainerSummary[]): Promise<ContainerPosture[]> {
    const read = await Promise.all(rows.map(async ({ id, name, image }) => ({ id, name, image, findings: await this.settled(id) })));
    return read.flatMap((row) => (row.findings ? [{ ...row, findings: row.findings }] : []));
  }

  /** Reads a new container at once, again after an update, and forgets a removed one (or a removed image's date). */
  seen(event: EngineEvent): void {
    if (this.stopped) return;
    const id = event.Actor.ID;
    if (event.Type === 'image' && event.Action === 'delete') this.images.delete(id);
    if (event.Type !== 'container') return;
    if (event.Action === 'create') this.startReading(id);
    if (event.Action === 'update') this.readAgain(id);
    if (event.Action === 'destroy') {
      this.known.delete(id);
      this.stale.delete(id);
      const under = this.reading.get(id);
      if (under) under.dropped = true;
    }
  }

  /** The events stopped coming: what is known stays shown, and is read again when next asked for. */
  lost(): void {
    for (const id of this.known.keys()) this.stale.add(id);
  }

  stop(): void {
    this.stopped = true;
  }

  private compose(known: Known): PostureFinding[] {
    const age = imageAgeFinding(known.imageCreated, this.now());
    return age ? [...known.config, age] : known.config;
  }

  /** Keeps the findings it knows until the new ones are read: the badges do not blink. */
  private readAgain(id: string): void {
    const under = this.reading.get(id);
    if (under) under.again = true;
    else this.startReading(id, true);
  }

  /** The container's reading under way, or a new one; null when its findings are known and `force` is not set. */
  private startReading(id: string, force = false): Reading | null {
    const under = this.reading.get(id);
    if (under) return under;
    if (this.stopped || (this.known.has(id) && !force)) return null;
    const reading: Reading = { done: Promise.resolve(), error: null, again: false, dropped: false };
    reading.done = this.turn(() => this.readOne(id, reading)).then(
      () => {
        this.reading.delete(id);
        if (reading.again && !reading.dropped) this.startReading(id, true);
      },
      (error: Error) => {
        this.reading.delete(id);
        reading.error = error;
        this.log(`posture of container ${id.slice(0, 12)}: ${error.message}`);
      },
    );
    this.reading.set(id, reading);
    return reading;
  }

  private async readOne(id: string, reading: Reading): Promise<void> {
    const inspect = await this.source.container(id);
    if (!inspect || reading.dropped || this.stopped) {
      this.known.delete(id);
      return;
    }
    const imageCreated = await this.imageCreated(inspect.Image);
    if (reading.dropped || this.stopped) return;
    const next: Known = { config: configFindings(inspect), imageCreated };
    const before = this.known.get(id);
    this.known.set(id, next);
    if (!before || JSON.stringify(this.compose(before)) !== JSON.stringify(this.compose(next))) this.read(id);
  }

  /** An image's creation date never changes: it is read once per image. */
  private imageCreated(imageId: string): Promise<string | null> {
    let created = this.images.get(imageId);
    if (!created) {
      created = this.source.imageCreated(imageId);
      // A failure is not kept: the next read of a container of this image asks again.
      const asked = created;
      asked.catch(() => this.images.get(imageId) === asked && this.images.delete(imageId));
      this.images.set(imageId, created);
    }
    return created;
  }

  /** Runs `work` once fewer than READERS reads are under way. */
  private async turn(work: () => Promise<void>): Promise<void> {
    while (this.running >= READERS) await new Promise<void>((go) => this.waiting.push(go));
    this.running += 1;
    try {
      await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}
