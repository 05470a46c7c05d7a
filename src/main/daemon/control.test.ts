import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../api/engine';
import type { Handlers } from '../api/dispatch';
import type { StreamHandlers } from '../api/streams';
import { ensureHome, homePaths } from '../home';
import { connectDaemon } from './connect';
import { ControlServer } from './control';
import { restingStatus } from './status';

const dir = mkdtempSync(join(tmpdir(), 'berth-control-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (done: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('ControlServer', () => {
  // On Windows other users may open the control pipe to read: such a connection must be told nothing.
  it('counts and tells a connection only once it has written, as every Berth client does at once', async () => {
    const paths = homePaths(dir);
    ensureHome(paths);
    const resting = restingStatus(paths, {});
    const status = (state: EngineStatus['state']): EngineStatus => ({ ...resting, state });
    const calls: Partial<Handlers> = { 'engine.status': async () => resting };
    let changes = 0;
    const server = new ControlServer(paths.controlSocket, calls as Handlers, {} as StreamHandlers, () => (changes += 1));
    await server.listen();
    const silent: Socket = createConnection(paths.controlSocket);
    const heard: string[] = [];
    silent.on('data', (chunk: Buffer) => heard.push(chunk.toString()));
    await new Promise((resolve) => silent.once('connect', resolve));

    const connection = (await connectDaemon(paths, false))!;
    const events: EngineStatus[] = [];
    connection.client.on('engine.changed', (payload) => events.push(payload));
    await until(() => server.clients.size === 1);
    expect(changes).toBe(1);
    server.broadcast('engine.changed', status('starting'));
    await until(() => events.length === 1);
    expect(events[0].state).toBe('starting');
    expect((await connection.client.invoke('engine.status', {})).state).toBe('stopped');
    expect(heard).toEqual([]);
    expect(server.clients.size).toBe(1);

    silent.write('\n');
    await until(() => server.clients.size === 2);
    server.broadcast('engine.changed', status('running'));
    await until(() => heard.length > 0);
    expect(JSON.parse(heard.join(''))).toMatchObject({ type: 'event', channel: 'engine.changed', payload: { state: 'running' } });

    connection.close();
    await connection.closed;
    await until(() => server.clients.size === 1);
    server.close();
    await until(() => silent.destroyed);
  });
});
