import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ContainerPorts } from '../tunnel/ports';
import type { EngineEvent } from './events';
import { publishedPorts, PortWatch } from './publishedPorts';

type Inspect = Docker.ContainerInspectInfo;

const inspectOf = (id: string, running: boolean, ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>): Inspect =>
  ({ Id: id, Name: `/${id}-name`, State: { Running: running }, NetworkSettings: { Ports: ports } }) as unknown as Inspect;

const event = (id: string, Action: string): EngineEvent => ({ Type: 'container', Action, Actor: { ID: id } });

/** An engine whose containers are whatever the test puts in `containers`; it counts the inspects. */
function fakeEngine(containers: Map<string, Inspect>) {
  const calls = { inspect: 0 };
  const docker = {
    getContainer: (id: string) => ({
      inspect: async () => {
        calls.inspect += 1;
        await new Promise((done) => setTimeout(done, 5));
        const found = containers.get(id);
        if (!found) throw Object.assign(new Error('no such container'), { statusCode: 404 });
        return found;
      },
    }),
    listContainers: async () => [...containers.values()].filter((info) => info.State.Running).map((info) => ({ Id: info.Id })),
  };
  return { docker: docker as unknown as Docker, calls };
}

function recorder() {
  const latest = new Map<string, ContainerPorts>();
  return { latest, sink: { set: (container: ContainerPorts) => latest.set(container.id, container) } };
}

describe('published ports from the engine', () => {
  it('reads the loopback and any-address bindings of a running container', () => {
    const info = inspectOf('c1', true, {
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      '443/tcp': [{ HostIp: '10.0.2.15', HostPort: '8443' }],
      '9000/tcp': null,
      '132/sctp': [{ HostIp: '', HostPort: '132' }],
      '22/tcp': [{ HostIp: '', HostPort: '2222' }],
    });
    expect(publishedPorts(info)).toEqual([
      { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
      { protocol: 'udp', hostPort: 5353, containerPort: 53 },
      { protocol: 'tcp', hostPort: 2222, containerPort: 22 },
    ]);
    expect(publishedPorts(inspectOf('c1', false, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }))).toEqual([]);
  });

  it('follows start and stop events, and a removed container publishes nothing', async () => {
    const containers = new Map([['c1', inspectOf('c1', true, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] })]]);
    const { docker } = fakeEngine(containers);
    const { latest, sink } = recorder();
    const watch = new PortWatch(docker, sink, () => undefined);
    watch.seen(event('c1', 'start'));
    await expect.poll(() => latest.get('c1')).toEqual({ id: 'c1', name: 'c1-name', ports: [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }] });
    watch.seen(event('c1', 'attach'));
    containers.delete('c1');
    watch.seen(event('c1', 'destroy'));
    await expect.poll(() => latest.get('c1')?.ports).toEqual([]);
  });

  it('looks a container up once at a time, and once more if an event came meanwhile', async () => {
    const containers = new Map([['c1', inspectOf('c1', true, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] })]]);
    const { docker, calls } = fakeEngine(containers);
    const { latest, sink } = recorder();
    const watch = new PortWatch(docker, sink, () => undefined);
    watch.seen(event('c1', 'start'));
    containers.set('c1', inspectOf('c1', false, {}));
    for (const action of ['kill', 'die', 'stop']) watch.seen(event('c1', action));
    await expect.poll(() => calls.inspect).toBe(2);
    await expect.poll(() => latest.get('c1')?.ports).toEqual([]);
  });

  it('a resync looks at every running container, and at those that published ports before', async () => {
    const containers = new Map([
      ['c1', inspectOf('c1', true, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] })],
      ['c2', inspectOf('c2', true, { '53/udp': [{ HostIp: '', HostPort: '5353' }] })],
    ]);
    const { docker } = fakeEngine(containers);
    const { latest, sink } = recorder();
    const watch = new PortWatch(docker, sink, () => undefined);
    await watch.resync();
    await expect.poll(() => [...latest.keys()].sort()).toEqual(['c1', 'c2']);
    // c2 stopped while no events came (the stream was down): the next resync still finds it.
    containers.set('c2', inspectOf('c2', false, {}));
    await watch.resync();
    await expect.poll(() => latest.get('c2')?.ports).toEqual([]);
  });
});
