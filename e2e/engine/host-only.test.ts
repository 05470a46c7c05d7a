import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
let server: Server;
let port = 0;

/** An address of this machine that is not loopback: traffic to it never leaves the machine. */
function ownNonLoopbackAddress(): string | null {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}

beforeAll(async () => {
  server = createServer((_, response) => response.end('host loopback says hi'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => server.close());

describe('host-only network mode', () => {
  for (const network of ['bridge', 'host']) {
    it(`reaches the host's loopback through 10.0.2.2 (container network ${network})`, async () => {
      const fetched = await docker(instance, ['run', '--rm', `--network=${network}`, 'busybox:offline', 'wget', '-q', '-O', '-', `http://10.0.2.2:${port}/`]);
      expect(fetched.stdout).toBe('host loopback says hi');
    });

    it(`cannot reach any other address (container network ${network})`, async () => {
      const address = ownNonLoopbackAddress();
      expect(address, 'this machine needs one non-loopback IPv4 address for the check').not.toBeNull();
      // Nothing listens there: a refusal would come back at once, while a dropped packet times out.
      const attempt = await docker(instance, [
        'run', '--rm', `--network=${network}`, 'busybox:offline', 'sh', '-c',
        `a=$(date +%s); nc -w 3 ${address} ${port} </dev/null; r=$?; b=$(date +%s); echo "exit=$r took=$((b - a))"`,
      ]);
      const [, code, took] = /exit=(\d+) took=(\d+)/.exec(attempt.stdout) ?? [];
      expect(Number(code)).toBeGreaterThan(0);
      expect(Number(took)).toBeGreaterThanOrEqual(2);
    });
  }
});
