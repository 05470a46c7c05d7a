import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { changesListOf, EngineEvents } from './events';
import { ContainerWatch, RelistWatch } from './watch';

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
 * A fake engine followed the way the backend wires it (EngineEvents into a ContainerWatch). `seen`
 * collects each change as [id, state], the state null once the container is gone.
 */
async function watched(burstMs: number) {
  const engine = fakeEngine();
  const seen: [string, string | null][] = [];
  const watch = new ContainerWatch(engine.docker, ({ id, container }) => seen.push([id, container?.state ?? null]), () => undefined, burstMs);
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
