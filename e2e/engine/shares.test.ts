import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, testShares } from '../support/berth';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
/** A folder of this run inside the shared one: the VM sees it at the same path. */
let folder = '';
let server: Server;
let port = 0;

beforeAll(async () => {
  folder = mkdtempSync(join(testShares(), 'run-'));
  server = createServer((_, response) => response.end('hi'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('host folders shared with the VM', () => {
  it('shows a file a container writes on the host, owned by the host user', async () => {
    const written = await docker(instance, ['run', '--rm', '-v', `${folder}:/src`, 'busybox:offline', 'sh', '-c', 'echo written in a container > /src/from-container']);
    expect(written.stderr).toBe('');
    const file = join(folder, 'from-container');
    expect(readFileSync(file, 'utf8')).toBe('written in a container\n');
    expect(statSync(file).uid).toBe(process.getuid!());
  });

  it('shows a file written on the host in a container, at the same path', async () => {
    writeFileSync(join(folder, 'from-host'), 'written on the host\n');
    const read = await docker(instance, ['run', '--rm', '-v', `${folder}:/src`, 'busybox:offline', 'cat', '/src/from-host']);
    expect(read.stdout).toBe('written on the host\n');
    const same = await docker(instance, ['run', '--rm', '-v', `${folder}:${folder}`, '-w', folder, 'busybox:offline', 'cat', 'from-host']);
    expect(same.stdout).toBe('written on the host\n');
  });

  it('refuses a bind of a folder outside the shares, naming the folder and the setting', async () => {
    const refused = await docker(instance, ['run', '--rm', '-v', '/opt/not-shared:/x', 'busybox:offline', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Berth cannot mount /opt/not-shared: it is outside the folders shared with the VM');
    expect(refused.stderr).toContain('"shares"');
    expect(refused.stderr).toContain('BERTH_SHARES');
    const mounted = await docker(instance, ['run', '--rm', '--mount', 'type=bind,src=/opt/not-shared,dst=/x', 'busybox:offline', 'true']);
    expect(mounted.stderr).toContain('Berth cannot mount /opt/not-shared');
    // The refused creates never reached the engine; the connection's next request works as before.
    const volume = await docker(instance, ['run', '--rm', '-v', 'berth-shares-test:/v', '-v', '/var/run/docker.sock:/s', 'busybox:offline', 'ls', '/s']);
    expect(volume.stdout.trim()).toBe('/s');
    await docker(instance, ['volume', 'rm', 'berth-shares-test']);
  });
});

describe('host.docker.internal', () => {
  for (const network of ['bridge', 'user-defined']) {
    it(`reaches the host's loopback from a container, without --add-host (${network} network)`, async () => {
      const name = `berth-hdi-${Date.now()}`;
      if (network === 'user-defined') expect((await docker(instance, ['network', 'create', name])).code).toBe(0);
      try {
        const fetched = await docker(instance, [
          'run', '--rm', `--network=${network === 'bridge' ? 'bridge' : name}`, 'busybox:offline',
          'wget', '-q', '-O', '-', `http://host.docker.internal:${port}/`,
        ]);
        expect(fetched.stderr).toBe('');
        expect(fetched.stdout).toBe('hi');
      } finally {
        if (network === 'user-defined') await docker(instance, ['network', 'rm', name]);
      }
    });
  }

  it('resolves gateway.docker.internal too, and nothing else in host-only mode', async () => {
    const lookup = await docker(instance, [
      'run', '--rm', 'busybox:offline', 'sh', '-c',
      'busybox nslookup -type=a gateway.docker.internal; busybox nslookup -type=a example.com',
    ]);
    expect(lookup.stdout).toMatch(/Name:\s+gateway\.docker\.internal\s+Address:\s+10\.0\.2\.2/);
    expect(lookup.stdout + lookup.stderr).toMatch(/can't find example\.com: NXDOMAIN/);
  });
});
