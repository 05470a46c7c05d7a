import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../api/containers';
import type { EngineEvent } from './events';
import type { PostureInspect } from './posture';
import { PostureBook, type PostureSource } from './postureBook';

type Inspect = PostureInspect & { Image: string };

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-12-06T12:00:00Z');

const asRoot = (image = 'sha256:new'): Inspect => ({ Image: image, Config: { User: '' }, HostConfig: { ReadonlyRootfs: true, Memory: 1 } });
const asUser = (): Inspect => ({ Image: 'sha256:new', Config: { User: '1000' }, HostConfig: { ReadonlyRootfs: true, Memory: 1 } });

/** An engine whose inspects answer when the test says: `containers` holds what each container is now (absent: removed). */
function engine() {
  const containers = new Map<string, Inspect>();
  const created = new Map<string, string>([
    ['sha256:new', new Date(NOW - DAY).toISOString()],
    ['sha256:old', new Date(NOW - 200 * DAY).toISOString()],
  ]);
  const pending: Array<() => void> = [];
  const asked: string[] = [];
  let running = 0;
  let most = 0;
  let held = true;
  let imageFailures = 0;
  const answer = <T>(value: () => T): Promise<T> =>
    new Promise((resolve, reject) => {
      running += 1;
      most = Math.max(most, running);
      const go = (): void => {
        running -= 1;
        try {
          resolve(value());
        } catch (error) {
          reject(error as Error);
        }
      };
      if (held) pending.push(go);
      else go();
    });
  const source: PostureSource = {
    container: (id) => {
      asked.push(id);
      return answer(() => {
        if (id === 'broken') throw new Error('the engine hung up');
        return containers.get(id) ?? null;
      });
    },
    imageCreated: (imageId) => {
      asked.push(imageId);
      return answer(() => {
        if (imageFailures > 0) {
          imageFailures -= 1;
          throw new Error('image inspect failed');
        }
        return created.get(imageId) ?? null;
      });
    },
  };
  const read: string[] = [];
  const logged: string[] = [];
  let now = NOW;
  const book = new PostureBook(source, (id) => read.push(id), (line) => logged.push(line), () => now);
  /** Answers everything asked so far, and what those answers lead to, until nothing is left. */
  const answerAll = async (): Promise<void> => {
    for (let round = 0; round < 50; round++) {
      await new Promise((done) => setTimeout(done, 0));
      if (!pending.length) return;
      pending.splice(0).forEach((go) => go());
    }
  };
  return {
    book,
    containers,
    asked,
    read,
    logged,
    answerAll,
    most: () => most,
    release: () => (held = false),
    failImages: (times: number) => (imageFailures = times),
    setNow: (at: number) => (now = at),
  };
}

const ids = (findings: { id: string }[] | null): string[] | null => findings && findings.map((finding) => finding.id);
const event = (Type: string, Action: string, ID: string): EngineEvent => ({ Type, Action, Actor: { ID, Attributes: {} } }) as EngineEvent;
const row = (id: string): ContainerSummary => ({ id, name: `name-${id}`, image: 'busybox', command: '', state: 'running', status: 'Up', created: 1, project: null, ports: [], findings: null });

describe('the kept postures', () => {
  it('answers null for a container not read yet, reads it in the background and tells when it is', async () => {
    const { book, containers, read, asked, answerAll } = engine();
    containers.set('c1', asRoot());
    expect(book.findings('c1')).toBeNull();
    expect(book.findings('c1')).toBeNull();
    await answerAll();
    expect(read).toEqual(['c1']);
    expect(ids(book.findings('c1'))).toEqual(['root']);
    // One inspect of the container and one of its image, however often it is asked for.
    expect(asked).toEqual(['c1', 'sha256:new']);
  });

  it('reads at most four containers at once, and each image once', async () => {
    const { book, containers, asked, most, answerAll } = engine();
    for (let i = 0; i < 20; i++) containers.set(`c${i}`, asRoot(i % 2 ? 'sha256:old' : 'sha256:new'));
    for (let i = 0; i < 20; i++) book.findings(`c${i}`);
    await answerAll();
    expect(most()).toBeLessThanOrEqual(4);
    expect(asked.filter((id) => id.startsWith('sha256:')).sort()).toEqual(['sha256:new', 'sha256:old']);
    expect(ids(book.findings('c1'))).toEqual(['root', 'old-image']);
    expect(ids(book.findings('c2'))).toEqual(['root']);
  });

  it("reckons the image's age at each answer", async () => {
    const { book, containers, answerAll, setNow } = engine();
    containers.set('c1', asUser());
    book.findings('c1');
    await answerAll();
    expect(book.findings('c1')).toEqual([]);
    setNow(NOW + 100 * DAY);
    expect(book.findings('c1')).toEqual([{ id: 'old-image', detail: 'created 2026-12-05, 101 days ago' }]);
  });

  it('reads a container again after an update, showing the old findings meanwhile, and tells only of a change', async () => {
    const { book, containers, read, answerAll } = engine();
    containers.set('c1', asRoot());
    book.seen(event('container', 'create', 'c1'));
    await answerAll();
    expect(read).toEqual(['c1']);
    containers.set('c1', { ...asRoot(), HostConfig: { ReadonlyRootfs: true, Memory: 0 } });
    book.seen(event('container', 'update', 'c1'));
    expect(ids(book.findings('c1'))).toEqual(['root']);
    await answerAll();
    expect(ids(book.findings('c1'))).toEqual(['root', 'no-memory-limit']);
    expect(read).toEqual(['c1', 'c1']);
    book.seen(event('container', 'update', 'c1'));
    await answerAll();
    expect(read).toEqual(['c1', 'c1']);
  });

  it('reads again an update that came while the container was being read', async () => {
    const { book, containers, answerAll } = engine();
    containers.set('c1', asRoot());
    book.findings('c1');
    book.seen(event('container', 'update', 'c1'));
    containers.set('c1', asUser());
    await answerAll();
    expect(book.findings('c1')).toEqual([]);
  });

  it('keeps nothing of a container removed while it was read, and forgets a removed one', async () => {
    const { book, containers, read, answerAll } = engine();
    containers.set('c1', asRoot());
    containers.set('c2', asRoot());
    book.findings('c1');
    book.findings('c2');
    await answerAll();
    book.seen(event('container', 'destroy', 'c1'));
    containers.delete('c1');
    expect(book.findings('c1')).toBeNull();
    const settled = book.settled('c2');
    book.seen(event('container', 'update', 'c2'));
    book.seen(event('container', 'destroy', 'c2'));
    await answerAll();
    expect(ids(await settled)).toEqual(['root']);
    const gone = book.settled('c1');
    await answerAll();
    expect(await gone).toBeNull();
    expect(book.findings('c2')).toBeNull();
    expect(read).toEqual(['c1', 'c2']);
  });

  it("lists every container's findings once read, leaving out those removed meanwhile", async () => {
    const { book, containers, release } = engine();
    release();
    containers.set('a', asRoot('sha256:old'));
    containers.set('b', asUser());
    expect(await book.every([row('a'), row('b'), row('gone')])).toEqual([
      { id: 'a', name: 'name-a', image: 'busybox', findings: [{ id: 'root', detail: "no user set: the image's default, root" }, { id: 'old-image', detail: 'created 2026-05-20, 200 days ago' }] },
      { id: 'b', name: 'name-b', image: 'busybox', findings: [] },
    ]);
  });

  it('says why a container could not be read, and tries again when next asked', async () => {
    const { book, containers, logged, release, failImages } = engine();
    release();
    containers.set('c1', asRoot());
    await expect(book.every([row('broken')])).rejects.toThrow('the engine hung up');
    expect(logged).toEqual(['posture of container broken: the engine hung up']);
    failImages(1);
    await expect(book.settled('c1')).rejects.toThrow('image inspect failed');
    expect(book.findings('c1')).toBeNull();
    expect(ids(await book.settled('c1'))).toEqual(['root']);
  });

  it('reads again, when next asked, what it knew before the events were lost', async () => {
    const { book, containers, asked, read, answerAll } = engine();
    containers.set('c1', asRoot());
    book.findings('c1');
    await answerAll();
    book.lost();
    containers.set('c1', asUser());
    expect(ids(book.findings('c1'))).toEqual(['root']);
    await answerAll();
    expect(book.findings('c1')).toEqual([]);
    expect(read).toEqual(['c1', 'c1']);
    expect(asked.filter((id) => id === 'c1')).toHaveLength(2);
  });

  it('reads nothing once stopped', async () => {
    const { book, containers, asked, answerAll } = engine();
    containers.set('c1', asRoot());
    book.stop();
    book.seen(event('container', 'create', 'c1'));
    expect(book.findings('c1')).toBeNull();
    await answerAll();
    expect(asked).toEqual([]);
  });
});
