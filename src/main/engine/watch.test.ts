import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { EngineEvents } from './events';
import { ContainerWatch } from './watch';

/** Container rows from the engine's event stream, through EngineEvents as the backend wires them. */
async function follow(docker: Docker, watch: ContainerWatch): Promise<EngineEvents> {
  const events = new EngineEvents(docker, (event) => watch.seen(event), () => undefined);
  await events.start();
  return events;
}

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

describe('following container events', () => {
  it('looks a container up once per burst of events', async () => {
    const engine = fakeEngine();
    const seen: (string | null)[] = [];
    const watch = new ContainerWatch(engine.docker, ({ container }) => seen.push(container?.state ?? null), () => undefined, 20);
    const events = await follow(engine.docker, watch);
    engine.answers.push({ state: 'running', delayMs: 0 });
    for (const action of ['create', 'attach', 'start']) engine.send('c1', action);
    await settle(80);
    expect(seen).toEqual(['running']);
    watch.stop();
    events.stop();
  });

  it('never lets an older, slower answer undo a newer one', async () => {
    const engine = fakeEngine();
    const seen: (string | null)[] = [];
    const watch = new ContainerWatch(engine.docker, ({ container }) => seen.push(container?.state ?? null), () => undefined, 5);
    const events = await follow(engine.docker, watch);
    engine.answers.push({ state: 'created', delayMs: 60 }, { state: 'running', delayMs: 0 });
    engine.send('c1', 'create');
    await settle(15);
    engine.send('c1', 'start');
    await settle(120);
    expect(seen).toEqual(['running']);
    watch.stop();
    events.stop();
  });

  it('reports a removed container as gone', async () => {
    const engine = fakeEngine();
    const seen: { id: string; gone: boolean }[] = [];
    const watch = new ContainerWatch(engine.docker, ({ id, container }) => seen.push({ id, gone: container === null }), () => undefined, 5);
    const events = await follow(engine.docker, watch);
    engine.send('c2', 'destroy');
    await settle(40);
    expect(seen).toEqual([{ id: 'c2', gone: true }]);
    watch.stop();
    events.stop();
  });
});
