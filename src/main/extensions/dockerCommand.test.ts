import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecChunk } from '../api/ddClient';
import { checkDockerCommand, dockerEnvironment, PickedPaths } from './dockerCommand';
import { dockerCli } from './exec';

const inherited = { PATH: '/usr/bin:/bin', HOME: '/home/u', LD_PRELOAD: '/tmp/evil.so', DOCKER_HOST: 'tcp://other:2375', DOCKER_CONTEXT: 'prod', DOCKER_CONFIG: '/home/u/.docker', SECRET_TOKEN: 'x' };

describe("the docker CLI's environment for a page", () => {
  it('inherits only the allow-listed variables and always points at Berth\'s engine', () => {
    expect(dockerEnvironment(inherited, undefined, '/b/docker.sock')).toEqual({ PATH: '/usr/bin:/bin', HOME: '/home/u', DOCKER_CONFIG: '/home/u/.docker', DOCKER_HOST: 'unix:///b/docker.sock' });
  });

  it('takes the few harmless variables a page may set', () => {
    expect(dockerEnvironment(inherited, { NO_COLOR: '1', COLUMNS: '120', TERM: 'xterm-256color' }, '/s')).toMatchObject({ NO_COLOR: '1', COLUMNS: '120', TERM: 'xterm-256color' });
  });

  it.each([['PATH', '/tmp/evil'], ['LD_PRELOAD', '/tmp/evil.so'], ['LD_LIBRARY_PATH', '/tmp'], ['DOCKER_HOST', 'tcp://10.0.0.1:2375'], ['DOCKER_CONFIG', '/tmp/c'], ['DOCKER_CONTEXT', 'prod'], ['COMPOSE_FILE', '/etc/passwd']])(
    'refuses %s from the page, saying which it may set',
    (name, value) => {
      expect(() => dockerEnvironment(inherited, { [name]: value }, '/s')).toThrow(`An extension may not run docker with ${name} set.`);
      try {
        dockerEnvironment(inherited, { [name]: value }, '/s');
      } catch (error) {
        expect((error as { hint: string }).hint).toContain('NO_COLOR, TERM, COLUMNS, LANG, LC_ALL');
      }
    },
  );

  it('refuses a bad value of an allowed variable', () => {
    expect(() => dockerEnvironment(inherited, { COLUMNS: '80; rm' }, '/s')).toThrow(/with COLUMNS="80; rm"/);
  });
});

describe('commands a page may run', () => {
  it.each([['-H'], ['--host'], ['--context'], ['--config'], ['-c'], ['--tls']])('refuses the leading global option %s', (flag) => {
    expect(() => checkDockerCommand(flag, ['tcp://10.0.0.1:2375', 'ps'], [])).toThrow(`An extension may not run docker with the global option ${flag}.`);
  });

  it.each([['context'], ['login'], ['logout']])('refuses docker %s', (command) => {
    expect(() => checkDockerCommand(command, ['use', 'x'], [])).toThrow(`An extension may not run docker ${command}.`);
  });

  it('lets ordinary commands through, flags after the command included', () => {
    expect(() => checkDockerCommand('ps', ['-a', '--format', '{{json .}}'], [])).not.toThrow();
    expect(() => checkDockerCommand('compose', ['ls'], [])).not.toThrow();
  });

  it('refuses before anything runs, and the refusal is what the page gets', async () => {
    const chunks: ExecChunk[] = [];
    const run = (command: string, args: string[], env?: Record<string, string>) => dockerCli('/nonexistent.sock', command, args, { env, picked: [] }, new AbortController().signal, (chunk) => chunks.push(chunk));
    await expect(run('--context', ['prod', 'ps'])).rejects.toMatchObject({ name: 'DockerCommandRefused' });
    await expect(run('ps', [], { LD_PRELOAD: '/tmp/x.so' })).rejects.toMatchObject({ name: 'DockerCommandRefused' });
    expect(chunks).toEqual([]);
  });
});

describe('docker cp', () => {
  const chosen = mkdtempSync(join(tmpdir(), 'berth-cp-'));
  mkdirSync(join(chosen, 'inner'));
  symlinkSync(homedir(), join(chosen, 'home'));
  const picked = [chosen];

  it('copies between a container and a path the user chose, or the page itself', () => {
    expect(() => checkDockerCommand('cp', ['web:/etc/nginx.conf', join(chosen, 'nginx.conf')], picked)).not.toThrow();
    expect(() => checkDockerCommand('cp', ['-a', join(chosen, 'inner'), 'web:/data'], picked)).not.toThrow();
    expect(() => checkDockerCommand('cp', ['web:/etc/hosts', '-'], [])).not.toThrow();
  });

  it.each([
    ['a path nobody chose', ['web:/x', join(homedir(), '.ssh', 'authorized_keys')], /which the user has not chosen/],
    ['a link out of the chosen folder', ['web:/x', join(chosen, 'home', '.bashrc')], /which the user has not chosen/],
    ['a climb out of it', ['web:/x', `${chosen}/../elsewhere`], /which the user has not chosen/],
    ['a relative path', ['web:/x', 'out.txt'], /relative path out\.txt/],
    ['two host paths', ['/etc/passwd', join(chosen, 'p')], /may not run docker cp \/etc\/passwd/],
    ['an unknown option', ['--foo', 'web:/x', join(chosen, 'p')], /docker cp --foo/],
  ])('refuses %s', (_what, args, error) => {
    expect(() => checkDockerCommand('cp', args, picked)).toThrow(error);
  });

  it.each([
    ['save', ['-o', join(homedir(), '.bashrc'), 'busybox']],
    ['save', [`--output=${join(homedir(), '.bashrc')}`, 'busybox']],
    ['image', ['save', `-o${join(homedir(), '.profile')}`, 'busybox']],
    ['export', ['--output', '/etc/cron.d/x', 'web']],
    ['load', ['-i', join(homedir(), '.ssh', 'id_ed25519')]],
    ['run', ['--env-file', join(homedir(), '.aws', 'credentials'), 'busybox']],
    ['run', ['--cidfile', join(homedir(), '.bashrc'), 'busybox']],
    ['buildx', ['build', '--output', `type=local,dest=${homedir()}`, '.']],
    ['save', ['-o', 'relative.tar', 'busybox']],
  ])('refuses docker %s %j, a file on this computer nobody chose', (command, args) => {
    expect(() => checkDockerCommand(command, args, picked)).toThrow(/which the user has not chosen|relative path/);
  });

  it('lets those options name what the user chose, and leaves -i and -o of other commands alone', () => {
    expect(() => checkDockerCommand('save', ['-o', join(chosen, 'image.tar'), 'busybox'], picked)).not.toThrow();
    expect(() => checkDockerCommand('buildx', ['build', '--output', 'type=image,name=x', '.'], picked)).not.toThrow();
    expect(() => checkDockerCommand('run', ['-i', '--rm', 'busybox'], picked)).not.toThrow();
    expect(() => checkDockerCommand('exec', ['-i', 'web', 'sh'], picked)).not.toThrow();
    // A container's own command may use the same names for its own files.
    expect(() => checkDockerCommand('run', ['--rm', 'scanner', 'scan', '--output', '/reports/out.json'], picked)).not.toThrow();
  });

  it('remembers what was chosen for each extension apart', () => {
    const paths = new PickedPaths();
    paths.add('a', [chosen, 'relative']);
    expect(paths.of('a')).toEqual([chosen]);
    expect(paths.of('b')).toEqual([]);
    paths.forget('a');
    expect(paths.of('a')).toEqual([]);
  });
});
