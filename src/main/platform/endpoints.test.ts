import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDockerContext } from '../engine/context';
import { dockerHostExport } from '../api/engine';
import { homePaths } from '../home';
import { listenNamed } from '../tunnel/socket';
import { dockerHost, isPipe, lockAddress, pipeSuffix, qemuPipeName } from './endpoints';

const windowsEnv = { LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' };
const windowsDefault = 'C:\\Users\\ana\\AppData\\Local\\Berth';

describe('endpoints on Linux and macOS', () => {
  it('are Unix sockets in the run folder, as they always were', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const paths = homePaths('/home/ana/.local/share/berth', platform, {});
      expect(paths).toMatchObject({
        dockerSocket: '/home/ana/.local/share/berth/run/docker.sock',
        controlSocket: '/home/ana/.local/share/berth/run/berth.sock',
        qmpSocket: '/home/ana/.local/share/berth/run/qmp.sock',
        sshSocket: '/home/ana/.local/share/berth/run/ssh.sock',
      });
      expect(isPipe(paths.dockerSocket)).toBe(false);
      expect(dockerHost(paths.dockerSocket)).toBe('unix:///home/ana/.local/share/berth/run/docker.sock');
      expect(dockerHostExport(dockerHost(paths.dockerSocket))).toBe('export DOCKER_HOST=unix:///home/ana/.local/share/berth/run/docker.sock');
      expect(qemuPipeName(paths.qmpSocket)).toBe(paths.qmpSocket);
    }
  });

  it('keep the daemon lock in an abstract socket on Linux and in a socket file on macOS', () => {
    expect(lockAddress('/h/run', () => 'k3y', 'linux')).toEqual({ address: '\0berth-daemon-k3y', file: false });
    expect(lockAddress('/h/run', () => 'k3y', 'darwin')).toEqual({ address: '/h/run/daemon.lock', file: true });
  });
});

describe('endpoints on Windows', () => {
  it('are the named pipes berth_docker, berth_control, berth_qmp and berth_ssh for the default home', () => {
    const paths = homePaths(windowsDefault, 'win32', windowsEnv);
    expect(paths).toMatchObject({
      dockerSocket: '\\\\.\\pipe\\berth_docker',
      controlSocket: '\\\\.\\pipe\\berth_control',
      qmpSocket: '\\\\.\\pipe\\berth_qmp',
      sshSocket: '\\\\.\\pipe\\berth_ssh',
    });
    for (const pipe of [paths.dockerSocket, paths.controlSocket, paths.qmpSocket, paths.sshSocket]) expect(isPipe(pipe)).toBe(true);
    // The same home typed in another case, or named by BERTH_HOME, is still the default one.
    expect(homePaths('c:\\users\\ANA\\appdata\\local\\berth\\', 'win32', windowsEnv).dockerSocket).toBe('\\\\.\\pipe\\berth_docker');
    expect(homePaths(windowsDefault, 'win32', { ...windowsEnv, BERTH_HOME: windowsDefault }).dockerSocket).toBe('\\\\.\\pipe\\berth_docker');
  });

  it('gives a home of its own (BERTH_HOME) pipes of its own, the same at every start', () => {
    const other = homePaths('D:\\berth-test', 'win32', { ...windowsEnv, BERTH_HOME: 'D:\\berth-test' });
    const suffix = pipeSuffix('D:\\berth-test', windowsDefault);
    expect(suffix).toMatch(/^_[0-9a-f]{12}$/);
    expect(other.dockerSocket).toBe(`\\\\.\\pipe\\berth_docker${suffix}`);
    expect(other.controlSocket).toBe(`\\\\.\\pipe\\berth_control${suffix}`);
    expect(homePaths('d:\\Berth-Test', 'win32', windowsEnv).dockerSocket).toBe(other.dockerSocket);
    expect(homePaths('D:\\berth-test-2', 'win32', windowsEnv).dockerSocket).not.toBe(other.dockerSocket);
  });

  it('points DOCKER_HOST and the docker context at the pipe as the docker CLI writes it', () => {
    expect(dockerHost('\\\\.\\pipe\\berth_docker')).toBe('npipe:////./pipe/berth_docker');
    expect(dockerHostExport(dockerHost('\\\\.\\pipe\\berth_docker'))).toBe('$env:DOCKER_HOST = "npipe:////./pipe/berth_docker"');
    const config = mkdtempSync(join(tmpdir(), 'berth-context-'));
    try {
      const written = writeDockerContext('\\\\.\\pipe\\berth_docker', { DOCKER_CONFIG: config });
      const meta = JSON.parse(readFileSync(written, 'utf8')) as { Name: string; Endpoints: { docker: { Host: string } } };
      expect(meta.Name).toBe('berth');
      expect(meta.Endpoints.docker.Host).toBe('npipe:////./pipe/berth_docker');
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });

  it('names pipes to QEMU by what follows \\\\.\\pipe\\, which QEMU puts back itself', () => {
    expect(qemuPipeName('\\\\.\\pipe\\berth_qmp')).toBe('berth_qmp');
    expect(qemuPipeName('\\\\.\\pipe\\berth_ssh_0123456789ab')).toBe('berth_ssh_0123456789ab');
  });

  it('tells pipes from paths in both slash forms', () => {
    for (const pipe of ['\\\\.\\pipe\\berth_docker', '//./pipe/berth_docker', '\\\\?\\pipe\\x', '//./PIPE/docker_engine']) expect(isPipe(pipe)).toBe(true);
    for (const path of ['/var/run/docker.sock', 'C:\\pipe\\x', '\\\\server\\pipe\\x', '\\\\.\\pipe\\', 'pipe/x']) expect(isPipe(path)).toBe(false);
  });

  it('keeps the daemon lock in a pipe named by the home key', () => {
    expect(lockAddress('C:\\h\\run', () => 'k3y', 'win32')).toEqual({ address: '\\\\.\\pipe\\berth_lock_k3y', file: false });
  });
});

describe('listenNamed', () => {
  const servers = [createServer(), createServer()];
  afterAll(() => servers.forEach((server) => server.close()));

  // A Linux abstract socket is a name, like a pipe: the same code path, provable here.
  it.runIf(process.platform === 'linux')('says who holds a name that is taken, and frees it with its server', async () => {
    const name = `\0berth-test-${process.pid}-${Date.now()}`;
    const release = await listenNamed(servers[0], name, 'Docker socket');
    await expect(listenNamed(servers[1], name, 'Docker socket')).rejects.toMatchObject({
      name: 'SocketInUse',
      message: `Another process already listens on @${name.slice(1)}, so Berth cannot put the Docker socket there.`,
    });
    release();
    await new Promise<void>((resolve) => servers[0].close(() => resolve()));
    await listenNamed(servers[1], name, 'Docker socket');
    expect(servers[1].listening).toBe(true);
  });
});
