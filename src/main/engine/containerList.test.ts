import { describe, expect, it } from 'vitest';
import type { ContainerSummary } from '../api/containers';
import { ContainerList } from './containerList';

const row = (id: string, state = 'running'): ContainerSummary => ({
  id,
  name: `name-${id}`,
  image: 'busybox',
  command: 'sleep',
  state,
  status: state,
  created: 1,
  project: null,
  ports: [],
  findings: null,
});

/** A list whose engine listings answer when the test says, through `answers` (one per listing, in order). */
function kept(dress?: (row: ContainerSummary) => ContainerSummary) {
  const answers: Array<{ resolve: (rows: ContainerSummary[]) => void; reject: (error: Error) => void }> = [];
  const logged: string[] = [];
  const refreshed: string[] = [];
  const list = new ContainerList(
    () => new Promise((resolve, reject) => answers.push({ resolve, reject })),
    ({ id, container }) => refreshed.push(`${id} ${container?.status ?? 'gone'}${container?.findings ? ` ${container.findings.length} findings` : ''}`),
    (line) => logged.push(line),
    dress,
  );
  const states = async (): Promise<Record<string, string>> => Object.fromEntries((await list.all()).map((r) => [r.id, r.state]));
  /** Fills the list with `rows`; `answers` is empty again after. */
  const filled = async (rows: ContainerSummary[]): Promise<void> => {
    list.following();
    answers.shift()!.resolve(rows);
    await list.all();
    answers.length = 0;
  };
  return { list, answers, logged, refreshed, states, filled };
}

const now = (): number => performance.now();

describe('the kept container list', () => {
  it('is filled by one listing once the stream opens, then answers from it without waiting for the engine', async () => {
    const { list, answers, states } = kept();
    list.following();
    expect(answers).toHaveLength(1);
    const first = states();
    answers[0]!.resolve([row('a'), row('b', 'exited')]);
    expect(await first).toEqual({ a: 'running', b: 'exited' });
    expect(answers).toHaveLength(1);
    expect(await states()).toEqual({ a: 'running', b: 'exited' });
  });

  it('follows changes: a new row, a changed one and a removed one', async () => {
    const { list, states, filled } = kept();
    await filled([row('a'), row('b')]);
    list.changed({ id: 'c', container: row('c', 'created') }, now());
    list.changed({ id: 'a', container: row('a', 'exited') }, now());
    list.changed({ id: 'b', container: null }, now());
    expect(await states()).toEqual({ a: 'exited', c: 'created' });
    expect(list.get('a')?.state).toBe('exited');
  });

  it('after answering from its rows, lists again and sends the rows that changed meanwhile (status texts age)', async () => {
    const { list, answers, refreshed, states, filled } = kept();
    await filled([{ ...row('a'), status: 'Up 1 second' }, row('b'), row('c')]);
    expect(await states()).toEqual({ a: 'running', b: 'running', c: 'running' });
    expect(answers).toHaveLength(1);
    await states();
    expect(answers).toHaveLength(1);
    list.changed({ id: 'd', container: row('d', 'created') }, now());
    answers[0]!.resolve([{ ...row('a'), status: 'Up 3 minutes' }, row('b')]);
    await new Promise((done) => setImmediate(done));
    expect(refreshed).toEqual(['a Up 3 minutes', 'c gone']);
    expect(list.get('a')?.status).toBe('Up 3 minutes');
    expect(list.get('d')?.state).toBe('created');
  });

  it('puts changes seen during its listing over that listing', async () => {
    const { list, answers, states } = kept();
    list.following();
    list.changed({ id: 'a', container: row('a', 'exited') }, now());
    list.changed({ id: 'gone', container: null }, now());
    expect(list.get('a')).toBeUndefined();
    answers[0]!.resolve([row('a'), row('gone')]);
    expect(await states()).toEqual({ a: 'exited' });
  });

  it('ignores an answer asked before the stream opened: a change after it may have gone unseen', async () => {
    const { list, states, filled } = kept();
    const asked = now() - 1;
    await filled([row('a', 'exited')]);
    list.changed({ id: 'a', container: row('a', 'running') }, asked);
    expect(await states()).toEqual({ a: 'exited' });
  });

  it('keeps nothing while the stream is closed: each request lists the engine', async () => {
    const { list, answers, refreshed, states, filled } = kept();
    await filled([row('a')]);
    list.lost();
    expect(list.get('a')).toBeUndefined();
    list.changed({ id: 'b', container: row('b') }, now());
    const first = states();
    answers[0]!.resolve([row('a', 'exited')]);
    expect(await first).toEqual({ a: 'exited' });
    const second = states();
    expect(answers).toHaveLength(2);
    answers[1]!.resolve([row('a', 'exited'), row('b')]);
    expect(await second).toEqual({ a: 'exited', b: 'running' });
    expect(refreshed).toEqual([]);
  });

  it('drops a listing that answers after the stream closed, and fills anew when it opens again', async () => {
    const { list, answers, states } = kept();
    list.following();
    list.lost();
    answers[0]!.resolve([row('stale')]);
    list.following();
    answers[1]!.resolve([row('fresh')]);
    expect(await states()).toEqual({ fresh: 'running' });
    expect(answers).toHaveLength(2);
  });

  it('lists again on the next request when its listing failed, and logs why', async () => {
    const { list, answers, logged, states } = kept();
    list.following();
    const waiting = list.all();
    answers[0]!.reject(new Error('engine busy'));
    await expect(waiting).rejects.toThrow('engine busy');
    expect(logged).toEqual(['container list: engine busy']);
    const next = states();
    expect(answers).toHaveLength(2);
    answers[1]!.resolve([row('a')]);
    expect(await next).toEqual({ a: 'running' });
  });

  it('dresses each row as it goes out with what the listing does not tell, and sends no row again for it', async () => {
    const findings = new Map([['a', [{ id: 'root' as const, detail: 'user root' }]]]);
    const { list, answers, refreshed, filled } = kept((r) => ({ ...r, findings: findings.get(r.id) ?? null }));
    await filled([row('a'), row('b')]);
    expect(list.get('a')?.findings).toEqual([{ id: 'root', detail: 'user root' }]);
    // As the daemon keeps a change: dressed.
    list.changed({ id: 'b', container: { ...row('b'), findings: [] } }, now());
    findings.set('b', []);
    expect((await list.all()).map((r) => r.findings?.length ?? null)).toEqual([1, 0]);
    answers[0]!.resolve([row('a'), row('b', 'exited')]);
    await new Promise((done) => setImmediate(done));
    expect(refreshed).toEqual(['b exited 0 findings']);
    expect(list.kept()?.map((r) => r.findings)).toEqual([null, null]);
  });
});
