import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplyProgress, RegistrySettings } from '../../src/main/api/registry';
import { connectDaemon } from '../../src/main/daemon/connect';
import { homePaths } from '../../src/main/home';
import { loadSettings } from '../../src/main/settings/store';
import { runInGuest } from '../../src/main/tunnel/guestCommand';
import type { SshLink } from '../../src/main/tunnel/link';
import { berth, docker, newInstance, writeSettings } from '../support/berth';
import { guestLink } from '../support/guest';
import { makeTestCa } from '../support/tlsCa';

// Its own instance, with the guest's sshd on TCP port 22 for guestLink.
const instance = newInstance({ BERTH_TEST_SSH_TCP: '1' });
const certsDir = join(instance.env.DOCKER_CONFIG!, 'certs.d');
let fromSettings = '';
let fromDockerCli = '';

let link: SshLink;

/** A file of the guest's own root, read over a second SSH connection with Berth's key; null when there is none. */
async function guestFile(path: string): Promise<string | null> {
  const read = await runInGuest(link, `cat ${path} 2>/dev/null || echo '<absent>'`, { hint: 'test' });
  return read === '<absent>\n' ? null : read;
}

async function insecureRegistries(): Promise<string[]> {
  const info = await docker(instance, ['info', '--format', '{{json .RegistryConfig}}']);
  expect(info.code, info.stderr).toBe(0);
  const config = JSON.parse(info.stdout) as { InsecureRegistryCIDRs: string[]; IndexConfigs: Record<string, { Secure: boolean }> };
  const names = Object.entries(config.IndexConfigs).flatMap(([name, index]) => (index.Secure ? [] : [name]));
  return [...config.InsecureRegistryCIDRs.filter((cidr) => cidr !== '127.0.0.0/8'), ...names].sort();
}

/** Applies through the daemon's control socket, as the window's Apply does; resolves with the progress seen. */
async function apply(settings: RegistrySettings): Promise<ApplyProgress[]> {
  const connection = await connectDaemon(homePaths(instance.home), false);
  if (!connection) throw new Error('no Berth daemon runs for the instance');
  const seen: ApplyProgress[] = [];
  try {
    await new Promise<void>((resolve, reject) =>
      connection.client.stream('registry.apply', settings, { chunk: (update) => seen.push(update), end: (error) => (error ? reject(error) : resolve()) }),
    );
  } finally {
    connection.close();
  }
  return seen;
}

const stepsOf = (progress: ApplyProgress[]): string[] => progress.filter((update) => update.state === 'done').map((update) => update.step);

beforeAll(async () => {
  fromSettings = (await makeTestCa(join(instance.home, 'ca-settings'))).caCert.trim();
  fromDockerCli = (await makeTestCa(join(instance.home, 'ca-docker-cli'))).caCert.trim();
  mkdirSync(join(certsDir, 'docker-cli.test:5000'), { recursive: true });
  writeFileSync(join(certsDir, 'docker-cli.test:5000', 'ca.crt'), `${fromDockerCli}\n`);
  writeSettings(instance, {
    version: 4,
    registries: { certificates: [{ server: 'settings.test:5000', ca: fromSettings }], insecure: ['plain.test:5000'] },
  });
  const started = await berth(instance, ['start']);
  expect(started.code, started.stderr).toBe(0);
  link = await guestLink(instance);
});

afterAll(async () => {
  link?.close();
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
});

describe('registry settings in the guest', () => {
  it('writes the CA of the settings and of DOCKER_CONFIG/certs.d, and the insecure list, before dockerd starts', async () => {
    expect((await guestFile('/etc/docker/certs.d/settings.test:5000/ca.crt'))?.trim()).toBe(fromSettings);
    expect((await guestFile('/etc/docker/certs.d/docker-cli.test:5000/ca.crt'))?.trim()).toBe(fromDockerCli);
    const daemonJson = JSON.parse((await guestFile('/etc/docker/daemon.json')) ?? '{}') as Record<string, unknown>;
    expect(daemonJson['insecure-registries']).toEqual(['plain.test:5000']);
    // The image itself trusts nothing over plain HTTP any more.
    expect(await insecureRegistries()).toEqual(['plain.test:5000']);
  });

  it('restarts dockerd with a changed insecure list, and saves it', async () => {
    const before = await guestFile('/run/berth/dockerd.pid');
    const began = Date.now();
    const progress = await apply({
      certificates: [{ server: 'settings.test:5000', ca: fromSettings }],
      insecure: ['changed.test:5000', '10.0.2.2/32'],
    });
    console.log(`registry.apply with a restart: ${Date.now() - began} ms`);
    expect(stepsOf(progress)).toEqual(['save', 'write', 'restart', 'ready']);
    expect(await insecureRegistries()).toEqual(['10.0.2.2/32', 'changed.test:5000']);
    expect(await guestFile('/run/berth/dockerd.pid')).not.toBe(before);
    // The relaunched dockerd starts placed like at boot, and then has every vCPU again.
    const cpus = loadSettings(join(instance.home, 'settings.json')).vm.cpus;
    expect((await docker(instance, ['info', '--format', '{{.NCPU}}'])).stdout.trim()).toBe(String(cpus));
    const saved = JSON.parse(readFileSync(join(instance.home, 'settings.json'), 'utf8')) as { registries: RegistrySettings };
    expect(saved.registries.insecure).toEqual(['changed.test:5000', '10.0.2.2/32']);
    // The docker CLI's CA is still there: the guest always gets both sources.
    expect((await guestFile('/etc/docker/certs.d/docker-cli.test:5000/ca.crt'))?.trim()).toBe(fromDockerCli);
  });

  it('changes certificates alone without restarting dockerd', async () => {
    const before = await guestFile('/run/berth/dockerd.pid');
    const progress = await apply({ certificates: [{ server: 'other.test', ca: fromSettings }], insecure: ['changed.test:5000', '10.0.2.2/32'] });
    expect(stepsOf(progress)).toEqual(['save', 'write']);
    expect((await guestFile('/etc/docker/certs.d/other.test/ca.crt'))?.trim()).toBe(fromSettings);
    expect(await guestFile('/etc/docker/certs.d/settings.test:5000/ca.crt')).toBeNull();
    expect(await guestFile('/run/berth/dockerd.pid')).toBe(before);
  });

  it('follows DOCKER_CONFIG/certs.d while the engine runs', async () => {
    const before = await guestFile('/run/berth/dockerd.pid');
    mkdirSync(join(certsDir, 'late.test'));
    writeFileSync(join(certsDir, 'late.test', 'ca.crt'), `${fromDockerCli}\n`);
    rmSync(join(certsDir, 'docker-cli.test:5000'), { recursive: true });
    await expect.poll(async () => (await guestFile('/etc/docker/certs.d/late.test/ca.crt'))?.trim(), { timeout: 30_000, interval: 1_000 }).toBe(fromDockerCli);
    expect(await guestFile('/etc/docker/certs.d/docker-cli.test:5000/ca.crt')).toBeNull();
    expect(await guestFile('/run/berth/dockerd.pid')).toBe(before);
  });
});
