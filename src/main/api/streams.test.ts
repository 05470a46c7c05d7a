import { describe, expect, it } from 'vitest';
import { ContractClient } from './client';
import type { Frame } from './contract';
import { StreamSessions, type StreamHandlers } from './streams';
import type { BerthError } from './errors';

/** A client and the daemon's sessions wired back to back, as the control socket joins them; only the streams a test opens need handlers. */
function pair(handlers: Partial<StreamHandlers>) {
  const toBackend: Frame[] = [];
  let sessions: StreamSessions;
  const client = new ContractClient((frame) => {
    toBackend.push(frame);
    sessions.receive(frame);
  });
  sessions = new StreamSessions(handlers as StreamHandlers, (frame) => client.receive(frame));
  return { client, sessions: sessions!, toBackend };
}

function collect() {
  const chunks: unknown[] = [];
  let ended: { error: BerthError | null } | null = null;
  return {
    chunks,
    ended: () => ended,
    listener: { chunk: (payload: unknown) => chunks.push(payload), end: (error: BerthError | null) => (ended = { error }) },
  };
}

const line = (text: string) => ({ stream: 'stdout' as const, time: null, text });

describe('streams', () => {
  it('carries checked chunks, then one end, and gives the handler its parsed request', async () => {
    const seen: unknown[] = [];
    const { client } = pair({
      'containers.logs': async (request, session) => {
        seen.push(request);
        session.send({ lines: [line('a')] });
        session.send({ lines: [line('b')] });
      },
    });
    const out = collect();
    client.stream('containers.logs', { id: 'web' }, out.listener);
    await expect.poll(() => out.ended()).toEqual({ error: null });
    expect(seen).toEqual([{ id: 'web', tail: 1000 }]);
    expect(out.chunks).toEqual([{ lines: [line('a')] }, { lines: [line('b')] }]);
  });

  it('ends with the error and its hint when the request, the channel or the handler fails', async () => {
    const { client } = pair({
      'containers.logs': async () => {
        throw new Error('boom');
      },
    });
    const bad = collect();
    client.stream('containers.logs', { id: '$(reboot)' }, bad.listener);
    await expect.poll(() => bad.ended()?.error?.name).toBe('InvalidRequest');
    const unknown = collect();
    client.stream('containers.nope' as never, {} as never, unknown.listener);
    await expect.poll(() => unknown.ended()?.error?.name).toBe('UnknownChannel');
    const failing = collect();
    client.stream('containers.logs', { id: 'web' }, failing.listener);
    await expect.poll(() => failing.ended()?.error?.message).toBe('boom');
    expect(failing.ended()?.error?.hint).toContain('daemon log');
  });

  it('never lets a chunk that breaks the contract through, and stops the handler', async () => {
    let signal: AbortSignal | null = null;
    const { client } = pair({
      'containers.logs': (_request, session) => {
        signal = session.signal;
        session.send({ lines: [{ stream: 'stdin', time: null, text: 'x' }] } as never);
        return new Promise(() => undefined);
      },
    });
    const out = collect();
    client.stream('containers.logs', { id: 'web' }, out.listener);
    await expect.poll(() => out.ended()?.error?.name).toBe('InvalidReply');
    expect(out.chunks).toEqual([]);
    expect(signal!.aborted).toBe(true);
  });

  it('aborts the handler on cancel or when the client goes, and sends nothing after', async () => {
    const signals: AbortSignal[] = [];
    const { client, sessions, toBackend } = pair({
      'containers.logs': (_request, session) => {
        signals.push(session.signal);
        return new Promise((done) => session.signal.addEventListener('abort', () => done()));
      },
    });
    const first = collect();
    const handle = client.stream('containers.logs', { id: 'a' }, first.listener);
    client.stream('containers.logs', { id: 'b' }, collect().listener);
    await expect.poll(() => signals.length).toBe(2);
    handle.cancel();
    expect(toBackend.at(-1)).toMatchObject({ type: 'cancel' });
    expect(signals[0]!.aborted).toBe(true);
    expect(sessions.size).toBe(1);
    sessions.closeAll();
    expect(signals[1]!.aborted).toBe(true);
    expect(sessions.size).toBe(0);
    await new Promise((done) => setTimeout(done, 10));
    expect(first.ended()).toBeNull();
  });

  it("checks a terminal's input against the contract, keeping what came before the handler listened; a broken size ends the stream", async () => {
    const inputs: unknown[] = [];
    const { client } = pair({
      'containers.exec': (_request, session) => {
        session.onInput((input) => inputs.push(input));
        return new Promise(() => undefined);
      },
    });
    const out = collect();
    const handle = client.stream('containers.exec', { id: 'web', cols: 80, rows: 24 }, out.listener);
    handle.write({ type: 'data', data: 'echo hi\r' });
    handle.write({ type: 'resize', cols: 120, rows: 40 });
    await expect.poll(() => inputs.length).toBe(2);
    expect(inputs).toEqual([{ type: 'data', data: 'echo hi\r' }, { type: 'resize', cols: 120, rows: 40 }]);
    handle.write({ type: 'resize', cols: 0, rows: 40 });
    await expect.poll(() => out.ended()?.error?.name).toBe('InvalidRequest');
    expect(inputs).toHaveLength(2);
  });

  it('refuses input to a stream that takes none', async () => {
    const { client } = pair({ 'containers.logs': () => new Promise(() => undefined) });
    const out = collect();
    const handle = client.stream('containers.logs', { id: 'web' }, out.listener);
    handle.write('ls\n' as never);
    await expect.poll(() => out.ended()?.error?.name).toBe('NoInput');
  });

  it('ends every open stream when the carrier fails', () => {
    const client = new ContractClient(() => undefined);
    const out = collect();
    client.stream('containers.logs', { id: 'web' }, out.listener);
    client.fail({ name: 'DaemonGone', message: 'gone', hint: 'read the log' } as BerthError);
    expect(out.ended()?.error?.name).toBe('DaemonGone');
  });
});
