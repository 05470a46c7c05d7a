import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/main/daemon/startBase';
import { docker, importForeignBusybox, testShares } from '../support/berth';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
// Inside the shared folder: a compose project's `./` bind is a host path the VM can mount.
const work = mkdtempSync(join(testShares(), 'plugins-'));
const tags: string[] = [];

afterAll(async () => {
  if (tags.length) await docker(instance, ['rmi', '-f', ...tags]);
  rmSync(work, { recursive: true, force: true });
});

/** A folder under the shared one holding `files` (path -> content). */
function project(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

async function httpBody(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return await response.text();
  } catch (error) {
    return `(${(error as Error).message})`;
  }
}

describe("the host's docker CLI with Berth's compose and buildx plugins", () => {
  it("finds them in Berth's folder, named in its config.json's cliPluginsExtraDirs", async () => {
    const pluginsDir = join(instance.home, 'cli-plugins');
    const config = JSON.parse(readFileSync(join(instance.env.DOCKER_CONFIG!, 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: string[] };
    expect(config.cliPluginsExtraDirs).toContain(pluginsDir);
    const info = await docker(instance, ['info', '--format', '{{json .ClientInfo.Plugins}}']);
    expect(info.code, info.stderr).toBe(0);
    const plugins = JSON.parse(info.stdout) as Array<{ Name: string; Path: string; Version: string }>;
    const byName = Object.fromEntries(plugins.map((plugin) => [plugin.Name, plugin]));
    expect(byName.compose?.Path).toBe(join(pluginsDir, 'docker-compose'));
    expect(byName.buildx?.Path).toBe(join(pluginsDir, 'docker-buildx'));
    expect(byName.compose?.Version).toMatch(/^2\./);
  });

  it('brings up a compose project with a build, a published port, a named volume and a ./ bind, then takes it down', async () => {
    const port = await freePort();
    const name = `plugins${Date.now()}`;
    const dir = project('compose', {
      Dockerfile: 'FROM busybox:offline\nRUN echo built in the image > /built.txt\n',
      'site/index.html': 'from the host folder\n',
      'compose.yaml': [
        'services:',
        '  web:',
        '    build: .',
        `    ports: ["127.0.0.1:${port}:80"]`,
        '    volumes: ["./site:/www", "data:/data"]',
        '    command: ["sh", "-c", "cat /built.txt > /data/built.txt && echo from the container > /www/written.txt && exec httpd -f -p 80 -h /www"]',
        'volumes:',
        '  data: {}',
        '',
      ].join('\n'),
    });
    const compose = (args: string[]) => docker(instance, ['compose', '--project-directory', dir, '--project-name', name, ...args], { timeoutMs: 240_000 });
    const up = await compose(['up', '-d', '--build']);
    expect(up.code, up.stderr).toBe(0);
    try {
      // The host folder is served through the published port, on the host's loopback.
      await expect.poll(() => httpBody(`http://127.0.0.1:${port}/index.html`), { timeout: 30_000, interval: 500 }).toBe('from the host folder\n');
      // What the container wrote into the bind is in the host folder; the named volume holds the image's file.
      await expect.poll(() => readFileSync(join(dir, 'site', 'written.txt'), 'utf8'), { timeout: 10_000 }).toBe('from the container\n');
      const volume = await compose(['exec', '-T', 'web', 'cat', '/data/built.txt']);
      expect(volume.code, volume.stderr).toBe(0);
      expect(volume.stdout).toBe('built in the image\n');
    } finally {
      const down = await compose(['down', '-v', '--rmi', 'local']);
      expect(down.code, down.stderr).toBe(0);
    }
    const left = await docker(instance, ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${name}`]);
    expect(left.stdout.trim()).toBe('');
    const volumes = await docker(instance, ['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${name}`]);
    expect(volumes.stdout.trim()).toBe('');
  });

  it('builds and loads an image with `docker buildx build --load`', async () => {
    const tag = `plugins-buildx:${Date.now()}`;
    tags.push(tag);
    const dir = project('buildx', { Dockerfile: 'FROM busybox:offline\nCOPY message /message\n', message: 'built by buildx\n' });
    const built = await docker(instance, ['buildx', 'build', '--load', '--tag', tag, dir], { timeoutMs: 240_000 });
    expect(built.code, built.stderr).toBe(0);
    const ran = await docker(instance, ['run', '--rm', tag, 'cat', '/message']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toBe('built by buildx\n');
  });

  it('builds an arm64 image from an arm64 base with `docker buildx build --platform linux/arm64 --load`', async () => {
    const base = `plugins-arm64-base:${Date.now()}`;
    const tag = `plugins-arm64:${Date.now()}`;
    tags.push(base, tag);
    const imported = await importForeignBusybox(instance, 'arm64', base);
    expect(imported.code, imported.stderr).toBe(0);
    const dir = project('buildx-arm64', { Dockerfile: `FROM ${base}\nRUN uname -m > /machine\n` });
    const built = await docker(instance, ['buildx', 'build', '--platform', 'linux/arm64', '--load', '--tag', tag, dir], { timeoutMs: 240_000 });
    expect(built.code, built.stderr).toBe(0);
    const inspected = await docker(instance, ['image', 'inspect', '--format', '{{.Architecture}}', tag]);
    expect(inspected.stdout.trim()).toBe('arm64');
    const ran = await docker(instance, ['run', '--rm', '--platform', 'linux/arm64', tag, 'cat', '/machine']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.trim()).toBe('aarch64');
  });
});
