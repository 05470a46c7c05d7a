import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Qmp } from './qmp';

const dir = mkdtempSync(join(tmpdir(), 'qmp-test-'));
let server: Server | null = null;

/** A monitor that greets, answers qmp_capabilities, and hands every other command to `answer`. */
async function monitor(answer: (command: string, socket: Socket) => void, greet = true): Promise<string> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.sock`);
  server = createServer((socket) => {
    if (greet) socket.write('{"QMP": {"version": {}, "capabilities": []}}\n');
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString();
      for (let newline; (newline = pending.indexOf('\n')) >= 0; ) {
        const { execute } = JSON.parse(pending.slice(0, newline)) as { execute: string };
        pending = pending.slice(newline + 1);
        if (execute === 'qmp_capabilities' && greet) socket.write('{"return": {}}\n');
        else if (execute !== 'qmp_capabilities') answer(execute, socket);
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return path;
}

afterEach(() => {
  server?.close();
  server = null;
});

describe('Qmp', () => {
  it('answers commands in order, events between them aside', async () => {
    const path = await monitor((command, socket) => socket.write(`{"event": "STOP"}\n{"return": {"status": "${command}"}}\n`));
    const qmp = await Qmp.connect(path);
    expect(await qmp.execute('query-status')).toEqual({ status: 'query-status' });
    expect(await qmp.execute('stop')).toEqual({ status: 'stop' });
    qmp.close();
  });

  it('says which command QEMU left unanswered, and gives the connection up', async () => {
    // QEMU answers in order: a monitor stuck on one command answers none after it.
    const path = await monitor(() => undefined);
    const qmp = await Qmp.connect(path);
    const stuck = qmp.execute('stop', undefined, 200);
    const after = qmp.execute('query-migrate');
    await expect(stuck).rejects.toThrow('QMP stop: QEMU did not answer within 200 ms');
    await expect(after).rejects.toThrow('QMP query-migrate: {"desc":"QMP connection closed"}');
  });

  it('refuses a monitor that takes the connection but never answers', async () => {
    const path = await monitor(() => undefined, false);
    await expect(Qmp.connect(path, 2_000, 300)).rejects.toThrow('QMP qmp_capabilities: QEMU did not answer within 300 ms');
  });

  it('gives up a connection that sends what is not JSON, without throwing', async () => {
    const path = await monitor((_command, socket) => socket.write('not json\n'));
    const qmp = await Qmp.connect(path);
    await expect(qmp.execute('query-status')).rejects.toThrow('QMP connection closed');
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
