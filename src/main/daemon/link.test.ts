import { describe, expect, it } from 'vitest';
import { ContractClient } from '../api/client';
import type { Frame } from '../api/contract';
import type { DaemonConnection } from '../daemon/connect';
import { homePaths } from '../home';
import { DaemonLink, eventNames } from './link';

/** A daemon in memory: answers every call with its channel, and can push events or go away. */
function fakeDaemon() {
  const dials: boolean[] = [];
  const live: { client: ContractClient; drop: () => void }[] = [];
  const connect = async (_paths: unknown, spawnIfMissing: boolean): Promise<DaemonConnection> => {
    dials.push(spawnIfMissing);
    let drop!: () => void;
    const closed = new Promise<void>((resolve) => (drop = resolve));
    const client: ContractClient = new ContractClient((frame: Frame) => {
      if (frame.type === 'call') queueMicrotask(() => client.receive({ type: 'reply', id: frame.id, result: { answered: frame.channel } }));
    });
    live.push({ client, drop });
    return { client, close: drop, closed };
  };
  return { dials, live, connect: connect as never };
}

describe('DaemonLink', () => {
  it('relays every event the contract declares, and nothing else', () => {
    expect(eventNames).toContain('engine.changed');
    expect(eventNames).not.toContain('engine.status');
  });

  it('dials once, spawning the daemon, and reuses the connection', async () => {
    const daemon = fakeDaemon();
    const link = new DaemonLink(homePaths('/nonexistent'), daemon.connect);
    expect(await link.invoke('engine.status', {})).toEqual({ answered: 'engine.status' });
    expect(await link.invoke('engine.start', {})).toEqual({ answered: 'engine.start' });
    // A page's call arrives untyped and takes the same connection once its channel checks out.
    expect(await link.forward('engine.status', {})).toEqual({ answered: 'engine.status' });
    expect(daemon.dials).toEqual([true]);
  });

  it('refuses a channel the contract lacks without dialling', async () => {
    const daemon = fakeDaemon();
    const link = new DaemonLink(homePaths('/nonexistent'), daemon.connect);
    await expect(link.forward('engine.changed', {})).rejects.toMatchObject({ name: 'UnknownChannel' });
    await expect(link.forward(42, {})).rejects.toMatchObject({ name: 'UnknownChannel' });
    expect(daemon.dials).toEqual([]);
  });

  it('forwards events, says when the daemon went away, and dials again on the next call', async () => {
    const daemon = fakeDaemon();
    const link = new DaemonLink(homePaths('/nonexistent'), daemon.connect);
    const events: unknown[] = [];
    let losses = 0;
    link.onEvent((channel, payload) => events.push([channel, payload]));
    link.onLost(() => losses++);
    await link.ready();
    daemon.live[0]!.client.receive({ type: 'event', channel: 'engine.changed', payload: { state: 'starting' } });
    expect(events).toEqual([['engine.changed', { state: 'starting' }]]);
    daemon.live[0]!.drop();
    await expect.poll(() => losses).toBe(1);
    await link.invoke('engine.status', {});
    expect(daemon.dials).toEqual([true, true]);
  });

  it('does not cache a failed dial', async () => {
    let attempts = 0;
    const failing = async (): Promise<never> => {
      attempts++;
      throw new Error('daemon did not come up');
    };
    const link = new DaemonLink(homePaths('/nonexistent'), failing as never);
    await expect(link.ready()).rejects.toThrow('did not come up');
    await expect(link.ready()).rejects.toThrow('did not come up');
    expect(attempts).toBe(2);
  });
});
