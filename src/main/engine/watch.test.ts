import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ContainerSummary } from '../api/containers';
import { changesListOf, EngineEvents } from './events';
import { ContainerWatch, RelistWatch, rowAfter } from './watch';

/** An engine whose event stream the test writes, and whose list answers come back in the order the test says. */
function fakeEngine() {
  const events = new PassThrough();
  const answers: { state: string | null; delayMs: number }[] = [];
  const docker = {
    getEvents: async () => events,
    listContainers: async ({ filters }: { filters: { id: string[] } }) => {
      const answer = answers.shift() ?? { state: null, delayMs: 0 };
      await new Promise((done) => setTimeout(done, answer.delayMs));
      return answer.state === null
        ? []
        : [{ Id: filters.id[0], Names: ['/web'], Image: 'busybox', Command: 'sleep', Created: 1, State: answer.state, Status: answer.state, Ports: [], Labels: {} }];
    },
  } as unknown as Docker;
  const send = (id: string, action: string) => events.write(`${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id } })}\n`);
  return { docker, answers, send, events };
}

const settle = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A fake engine followed the way the daemon wires it (EngineEvents into a ContainerWatch). `seen`
 * collects each change as [id, state], the state null once the container is gone.
 */
async function watched(burstMs: number) {
  const engine = fakeEngine();
  const seen: [string, string | null][] = [];
  const watch = new ContainerWatch(engine.docker, ({ id, container }) => seen.push([id, container?.state ?? null]), () => undefined, { burstMs });
  const events = new EngineEvents(engine.docker, (event) => watch.seen(event), () => undefined);
  await events.start();
  const stop = (): void => {
    watch.stop();
    events.stop();
  };
  return { ...engine, seen, stop };
}

describe('following container events', () => {
  it('looks a container up once per burst of events', async () => {
    const engine = await watched(20);
    engine.answers.push({ state: 'running', delayMs: 0 });
    for (const action of ['create', 'attach', 'start']) engine.send('c1', action);
    await settle(80);
    expect(engine.seen).toEqual([['c1', 'running']]);
    engine.stop();
  });

  it('never lets an older, slower answer undo a newer one', async () => {
    const engine = await watched(5);
    engine.answers.push({ state: 'created', delayMs: 60 }, { state: 'running', delayMs: 0 });
    engine.send('c1', 'create');
    await settle(15);
    engine.send('c1', 'start');
    await settle(120);
    expect(engine.seen).toEqual([['c1', 'running']]);
    engine.stop();
  });

  it('reports a removed container as gone', async () => {
    const engine = await watched(5);
    engine.send('c2', 'destroy');
    await settle(40);
    expect(engine.seen).toEqual([['c2', null]]);
    engine.stop();
  });
});

const row = (state: string, status: string): ContainerSummary => ({
  id: 'c1',
  name: 'web',
  image: 'busybox',
  command: 'sleep',
  state,
  status,
  created: 1,
  project: null,
  ports: [{ hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
  findings: [{ id: 'root', detail: 'user root' }],
});
const event = (Action: string, Attributes: Record<string, string> = {}) => ({ Type: 'container', Action, Actor: { ID: 'c1', Attributes } });

describe('the row an event implies', () => {
  it('says exited, with the exit code and no ports, on die', () => {
    expect(rowAfter(row('running', 'Up 3 minutes'), event('die', { exitCode: '137' }))).toMatchObject({ state: 'exited', status: 'Exited (137) Less than a second ago', ports: [], findings: [{ id: 'root', detail: 'user root' }] });
  });

  it('says running on start and restart, paused on pause, running again on unpause', () => {
    expect(rowAfter(row('exited', 'Exited (0) 2 hours ago'), event('start'))).toMatchObject({ state: 'running', status: 'Up Less than a second' });
    expect(rowAfter(row('created', 'Created'), event('restart'))?.state).toBe('running');
    expect(rowAfter(row('running', 'Up 3 minutes (healthy)'), event('pause'))).toMatchObject({ state: 'paused', status: 'Up 3 minutes (Paused)' });
    expect(rowAfter(row('paused', 'Up 3 minutes (Paused)'), event('unpause'))).toMatchObject({ state: 'running', status: 'Up 3 minutes' });
  });

  it('implies nothing for a kill (the signal may not end it), other events, or a state already shown', () => {
    expect(rowAfter(row('running', 'Up 3 minutes'), event('kill', { signal: '1' }))).toBeNull();
    expect(rowAfter(row('running', 'Up 3 minutes'), event('exec_start'))).toBeNull();
    expect(rowAfter(row('exited', 'Exited (0) 1 second ago'), event('stop'))).toBeNull();
    expect(rowAfter(row('running', 'Up 3 minutes'), event('start'))).toBeNull();
  });
});

describe('sending the implied row before the lookup', () => {
  /** An engine whose lookups answer when the test says, and a watch whose kept rows are `kept`. */
  function answering() {
    const asked: Array<(state: string) => void> = [];
    const docker = {
      listContainers: () =>
        new Promise((resolve) =>
          asked.push((state) => resolve([{ Id: 'c1', Names: ['/web'], Image: 'busybox', Command: 'sleep', Created: 1, State: state, Status: `engine says ${state}`, Ports: [], Labels: {} }])),
        ),
    } as unknown as Docker;
    const kept = new Map<string, ContainerSummary>([['c1', row('running', 'Up 3 minutes')]]);
    const sent: string[] = [];
    const watch = new ContainerWatch(
      docker,
      ({ id, container }) => {
        if (container) kept.set(id, container);
        sent.push(container?.status ?? 'gone');
      },
      () => undefined,
      { burstMs: 15, current: (id) => kept.get(id) },
    );
    return { asked, sent, watch };
  }

  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('sends exited on die at once, then the engine row', async () => {
    const { asked, sent, watch } = answering();
    watch.seen(event('die', { exitCode: '0' }));
    expect(sent).toEqual(['Exited (0) Less than a second ago']);
    await vi.advanceTimersByTimeAsync(15);
    asked[0]!('exited');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['Exited (0) Less than a second ago', 'engine says exited']);
    watch.stop();
  });

  it('drops a lookup asked before the event, even when it answers after it', async () => {
    const { asked, sent, watch } = answering();
    watch.seen(event('exec_start'));
    await vi.advanceTimersByTimeAsync(15);
    expect(asked).toHaveLength(1);
    watch.seen(event('die', { exitCode: '137' }));
    asked[0]!('running');
    await vi.advanceTimersByTimeAsync(15);
    asked[1]!('exited');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['Exited (137) Less than a second ago', 'engine says exited']);
    watch.stop();
  });

  it('sends each state of a quick stop and start, each from the row before it', async () => {
    const { asked, sent, watch } = answering();
    watch.seen(event('die', { exitCode: '0' }));
    watch.seen(event('stop'));
    watch.seen(event('start'));
    expect(sent).toEqual(['Exited (0) Less than a second ago', 'Up Less than a second']);
    await vi.advanceTimersByTimeAsync(15);
    expect(asked).toHaveLength(1);
    asked[0]!('running');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.at(-1)).toBe('engine says running');
    watch.stop();
  });
});

describe('lists following events', () => {
  it('lists once per burst of relevant events, and ignores the rest', async () => {
    let listings = 0;
    const sent: number[] = [];
    const watch = new RelistWatch(changesListOf('network'), async () => ++listings, (count) => sent.push(count), () => undefined, 10);
    const event = (Type: string, Action: string) => ({ Type, Action, Actor: { ID: 'x' } });
    for (const action of ['create', 'connect', 'disconnect']) watch.seen(event('network', action));
    watch.seen(event('container', 'create'));
    await settle(40);
    watch.seen(event('container', 'start'));
    watch.seen(event('volume', 'create'));
    await settle(40);
    expect(sent).toEqual([1]);
    watch.stop();
  });
});
