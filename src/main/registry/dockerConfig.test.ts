import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BerthError } from '../api/errors';
import { authServers, credHelpers, credsStore, dockerConfigPath, readDockerConfig, setAuthEntry, updateDockerConfig } from './dockerConfig';

const root = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
const configEnv = (): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: mkdtempSync(join(root, 'cfg-')) });

describe('docker config.json', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is found through DOCKER_CONFIG, else under ~/.docker', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x/cfg' })).toBe('/x/cfg/config.json');
    expect(dockerConfigPath({})).toMatch(/\.docker[/\\]config\.json$/);
  });

  it('reads a missing or empty file as an empty config', () => {
    const env = configEnv();
    expect(readDockerConfig(env)).toEqual({});
    writeFileSync(dockerConfigPath(env), '\n');
    expect(readDockerConfig(env)).toEqual({});
  });

  it('refuses malformed JSON with a hint naming the file', () => {
    const env = configEnv();
    const path = dockerConfigPath(env);
    for (const text of ['{"auths": {', '[1, 2]']) {
      writeFileSync(path, text);
      const error = (() => {
        try {
          readDockerConfig(env);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(BerthError);
      expect((error as BerthError).name).toBe('DockerConfigUnreadable');
      expect((error as BerthError).hint).toContain(path);
    }
  });

  it('writes atomically with mode 0600, keeping every key it does not change', () => {
    const env = configEnv();
    const path = dockerConfigPath(env);
    const original = {
      proxies: { default: { httpProxy: 'http://proxy:3128' } },
      currentContext: 'berth',
      credHelpers: { 'gcr.io': 'gcloud' },
      auths: { 'old.example': { auth: 'dTpw' } },
      psFormat: 'table {{.ID}}',
    };
    writeFileSync(path, JSON.stringify(original), { mode: 0o644 });
    updateDockerConfig(env, (config) => {
      config.credsStore = 'pass';
      setAuthEntry(config, 'registry.example:5000', {});
    });
    const written = JSON.parse(readFileSync(path, 'utf8'));
    expect(written).toEqual({ ...original, credsStore: 'pass', auths: { 'old.example': { auth: 'dTpw' }, 'registry.example:5000': {} } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(env.DOCKER_CONFIG!)).toEqual(['config.json']);
    expect(credsStore(written)).toBe('pass');
    expect(credHelpers(written)).toEqual({ 'gcr.io': 'gcloud' });
    expect(authServers(written)).toEqual(['old.example', 'registry.example:5000']);
  });

  it('creates the folder when there is none, and writes through a symlinked config.json', () => {
    updateDockerConfig({ DOCKER_CONFIG: join(root, 'new') }, (config) => {
      config.credsStore = 'pass';
    });
    expect(readDockerConfig({ DOCKER_CONFIG: join(root, 'new') }).credsStore).toBe('pass');

    mkdirSync(join(root, 'dotfiles'));
    mkdirSync(join(root, 'linked'));
    writeFileSync(join(root, 'dotfiles', 'docker.json'), '{"detachKeys": "ctrl-x"}');
    symlinkSync(join(root, 'dotfiles', 'docker.json'), join(root, 'linked', 'config.json'));
    updateDockerConfig({ DOCKER_CONFIG: join(root, 'linked') }, (config) => {
      config.credsStore = 'pass';
    });
    expect(lstatSync(join(root, 'linked', 'config.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'dotfiles', 'docker.json'), 'utf8'))).toEqual({ detachKeys: 'ctrl-x', credsStore: 'pass' });
  });

  it('ignores helper settings of the wrong type', () => {
    expect(credsStore({ credsStore: '' })).toBeUndefined();
    expect(credsStore({ credsStore: 3 as unknown as string })).toBeUndefined();
    expect(credHelpers({ credHelpers: { a: 'x', b: 4 as unknown as string } })).toEqual({ a: 'x' });
    expect(authServers({ auths: [] as unknown as Record<string, never> })).toEqual([]);
  });
});
