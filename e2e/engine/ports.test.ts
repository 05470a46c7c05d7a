import { createSocket } from 'node:dgram';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { berth, docker, status } from '../support/berth';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const names: string[] = [];

/** A high port nobody is likely to hold, different for each test. */
const randomPort = (): number => 20_000 + Math.floor(Math.random() * 10_000);

afterAll(async () => {
  if (names.length) await docker(instance, ['rm', '-f', ...names]);
});

async function run(args: string[]): Promise<string> {
  const name = `ports-${Date.now()}-${names.length}`;
  names.push(name);
  const started = await docker(instance, ['run', '-d', '--name', name, ...args]);
  expect(started.code, started.stderr).toBe(0);
  return name;
}

/** GET / on the host's loopback: the body, or the error's code (ECONNREFUSED when nothing listens). */
function fetchText(port: number): Promise<{ body?: string; code?: string }> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body }));
      response.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
  });
}

/** Polls until `done` holds, for at most `deadlineMs`; returns the time it took, or throws with the last answer. */
async function within<T>(deadlineMs: number, probe: () => Promise<T>, done: (answer: T) => boolean): Promise<number> {
  const began = performance.now();
  let last: T | undefined;
  while (performance.now() - began < deadlineMs) {
    last = await probe();
    if (done(last)) return Math.round(performance.now() - began);
    await new Promise((wait) => setTimeout(wait, 20));
  }
  throw new Error(`not within ${deadlineMs} ms; last answer: ${JSON.stringify(last)}`);
}

interface PortStatus {
  container: string;
  protocol: string;
  hostIp: string;
  hostPort: number;
  state: string;
  error?: { name: string; message: string; hint: string };
}
const portsIn = async (): Promise<PortStatus[]> => (await status(instance)).ports as PortStatus[];

describe('published ports on the host', () => {
  it('a published TCP port answers on 127.0.0.1 within 1 s of `docker run`, and closes when the container stops', async () => {
    const port = randomPort();
    const name = await run([
      '-p', `${port}:80`, 'busybox:offline', 'sh', '-c',
      'busybox mkdir /www && echo hello from the container > /www/index.html && exec httpd -f -p 80 -h /www',
    ]);
    const upMs = await within(5_000, () => fetchText(port), (answer) => answer.body === 'hello from the container\n');
    console.log(`tcp ${port}: answering ${upMs} ms after docker run returned`);
    expect(upMs).toBeLessThanOrEqual(1_000);
    expect(await portsIn()).toContainEqual({
      containerId: expect.any(String), container: name, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: port, containerPort: 80, state: 'forwarded',
    });
    // Several connections at once, each through its own channel.
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetchText(port)));
    expect(answers.map((answer) => answer.body)).toEqual(Array(8).fill('hello from the container\n'));

    const stopped = await docker(instance, ['stop', '-t', '1', name]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const closedMs = await within(5_000, () => fetchText(port), (answer) => answer.code === 'ECONNREFUSED');
    console.log(`tcp ${port}: refused ${closedMs} ms after docker stop returned`);
    expect(closedMs).toBeLessThanOrEqual(1_000);
    expect((await portsIn()).some((entry) => entry.hostPort === port)).toBe(false);
  });

  it('a published UDP port carries datagrams both ways', async () => {
    const port = randomPort();
    // busybox has no UDP server: the guest's perl, run in the container's network namespace, echoes.
    const echo = 'use Socket; socket(S, PF_INET, SOCK_DGRAM, 0) or die; bind(S, pack_sockaddr_in(9999, INADDR_ANY)) or die; ' +
      'while (my $from = recv(S, my $data, 65535, 0)) { send(S, "echo:$data", 0, $from) }';
    await run(['-p', `${port}:9999/udp`, '--privileged', '--pid=host', 'busybox:offline', 'nsenter', '-t', '1', '-m', '--', 'perl', '-e', echo]);
    const client = createSocket('udp4');
    await new Promise<void>((bound) => client.bind(0, '127.0.0.1', bound));
    try {
      const replies: string[] = [];
      client.on('message', (message) => replies.push(message.toString()));
      // A datagram may be lost while the listener or the echo is still starting: send again until one comes back.
      const upMs = await within(
        5_000,
        async () => {
          client.send('ping', port, '127.0.0.1');
          await new Promise((wait) => setTimeout(wait, 100));
          return replies.length;
        },
        (count) => count > 0,
      );
      console.log(`udp ${port}: first echo ${upMs} ms after docker run returned`);
      expect(replies[0]).toBe('echo:ping');
      // Echoes of pings still in flight when the first came back may arrive later: only the new words count.
      for (const word of ['one', 'two', 'three']) client.send(word, port, '127.0.0.1');
      await expect.poll(() => replies.filter((reply) => reply !== 'echo:ping').sort(), { timeout: 5_000 }).toEqual(['echo:one', 'echo:three', 'echo:two']);
    } finally {
      client.close();
    }
  });

  it('a host port already taken: the container runs, and the status says which port and why', async () => {
    const port = randomPort();
    const holder: Server = createServer();
    await new Promise<void>((listening) => holder.listen(port, '127.0.0.1', listening));
    try {
      const name = await run(['-p', `${port}:80`, 'busybox:offline', 'sleep', '300']);
      await expect
        .poll(async () => (await portsIn()).find((entry) => entry.hostPort === port), { timeout: 5_000 })
        .toMatchObject({ container: name, protocol: 'tcp', hostIp: '127.0.0.1', state: 'failed', error: { name: 'PortInUse', message: expect.stringContaining('in use') } });
      const state = await docker(instance, ['inspect', '--format', '{{.State.Running}}', name]);
      expect(state.stdout.trim()).toBe('true');
      const plain = await berth(instance, ['status']);
      expect(plain.stdout).toContain(`port failed: ${name} 127.0.0.1:${port}/tcp: Port ${port}/tcp on 127.0.0.1 is in use by another program.`);
      expect(plain.stdout).toContain('publish a different host port (-p OTHER:80)');
    } finally {
      holder.close();
    }
  });
});
