import { existsSync } from 'node:fs';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../support/berth';
import { importDockerCliImage } from '../support/dockerCliImage';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const cliImage = 'berth-e2e/docker-cli:offline';
const stamp = Date.now();
/** A running container every listing through a mounted socket must show. */
const witness = `socket-witness-${stamp}`;

beforeAll(async () => {
  const imported = await importDockerCliImage(instance, cliImage);
  expect(imported.code, imported.stderr).toBe(0);
  const started = await docker(instance, ['run', '-d', '--name', witness, 'busybox:offline', 'sleep', '600']);
  expect(started.code, started.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await docker(instance, ['rm', '-f', witness]);
});

describe("the engine's socket inside containers", () => {
  it("gives a bind of Berth's host socket (the DOCKER_HOST path) the engine, by -v and by --mount", async () => {
    for (const mount of [['-v', `${instance.socket}:/var/run/docker.sock`], ['--mount', `type=bind,source=${instance.socket},target=/var/run/docker.sock`]]) {
      const listed = await docker(instance, ['run', '--rm', ...mount, cliImage, 'docker', 'ps', '--format', '{{.Names}}']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout.split('\n')).toContain(witness);
    }
  });

  it('gives a bind of /var/run/docker.sock the engine too', async () => {
    const listed = await docker(instance, ['run', '--rm', '-v', '/var/run/docker.sock:/var/run/docker.sock', cliImage, 'docker', 'ps', '--format', '{{.Names}}']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')).toContain(witness);
  });
});

describe('Testcontainers for Node against Berth', () => {
  let container: StartedTestContainer | null = null;
  const saved = { ...process.env };

  beforeAll(() => {
    process.env.DOCKER_HOST = `unix://${instance.socket}`;
    // Ryuk, Testcontainers' reaper, is an image from Docker Hub, which the tests never reach; the
    // socket bind it makes is the one the tests above make with the same host path.
    process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
    // Where /.dockerenv exists (a container-like CI machine), Testcontainers believes it runs in a
    // container and looks for published ports at the bridge's gateway; Berth publishes on loopback.
    if (existsSync('/.dockerenv')) process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
  });

  afterAll(async () => {
    await container?.stop().catch(() => undefined);
    process.env = saved;
  });

  it('starts a container with an exposed port and a wait strategy, then serves, execs, copies, logs and stops', async () => {
    const name = `tc-${stamp}`;
    container = await new GenericContainer(cliImage)
      .withName(name)
      .withExposedPorts(8080)
      .withBindMounts([{ source: instance.socket, target: '/var/run/docker.sock' }])
      .withCommand(['sh', '-c', 'mkdir -p /www && echo served by testcontainers >/www/index.html && echo listening && exec httpd -f -v -p 8080 -h /www'])
      .withWaitStrategy(Wait.forAll([Wait.forLogMessage('listening'), Wait.forHttp('/', 8080).forStatusCode(200)]))
      .withStartupTimeout(120_000)
      .start();

    const host = container.getHost();
    expect(['127.0.0.1', 'localhost']).toContain(host);
    const page = await fetch(`http://${host}:${container.getMappedPort(8080)}/`);
    expect(page.status).toBe(200);
    expect((await page.text()).trim()).toBe('served by testcontainers');

    await container.copyContentToContainer([{ content: 'copied in\n', target: '/www/copied.txt' }]);
    const copied = await container.exec(['cat', '/www/copied.txt']);
    expect(copied.exitCode).toBe(0);
    expect(copied.output.trim()).toBe('copied in');

    // The socket it was given by its host path reaches the engine that runs it.
    const listed = await container.exec(['docker', 'ps', '--format', '{{.Names}}']);
    expect(listed.exitCode, listed.output).toBe(0);
    expect(listed.output.split('\n')).toEqual(expect.arrayContaining([name, witness]));

    const logs = await new Promise<string>((resolve, reject) => {
      let text = '';
      container!.logs().then((stream) => {
        stream.on('data', (line: Buffer | string) => {
          text += line.toString();
          if (text.includes('listening')) resolve(text);
        });
        stream.on('error', reject);
      }, reject);
    });
    expect(logs).toContain('listening');

    const stopped = await container.stop();
    container = null;
    expect(stopped.getId()).toMatch(/^[0-9a-f]{64}$/);
    const gone = await docker(instance, ['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Names}}']);
    expect(gone.stdout.trim()).toBe('');
  });
});
