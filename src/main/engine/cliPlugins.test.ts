import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerConfigPath } from '../registry/dockerConfig';
import type { LocatedImage } from '../vm/image';
import type { Host } from '../resources';
import { addExtraDir, carriedPlugins, imagePlugins, installPlugins, pluginSource, provideCliPlugins, usePluginDir, type PluginSource } from './cliPlugins';

const root = mkdtempSync(join(tmpdir(), 'berth-plugins-'));
let count = 0;
const fresh = (): string => mkdtempSync(join(root, `${count++}-`));
const configEnv = (): NodeJS.ProcessEnv => ({ DOCKER_CONFIG: fresh() });

/** An image folder with cli-plugins/ holding `files`, and a manifest listing them as build.sh does. */
function imageWith(files: Record<string, string>): LocatedImage {
  const dir = fresh();
  mkdirSync(join(dir, 'cli-plugins'));
  const cliPlugins: Record<string, unknown> = {};
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, 'cli-plugins', name), content, { mode: 0o755 });
    cliPlugins[name] = { package: name, version: '1.0-1', sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
  }
  const manifest = { kernel: 'k', docker: 'd', containerd: 'c', runc: 'r', cliPlugins };
  return { id: 'test', dir, arch: 'amd64', kernel: '', initrd: '', base: '', manifest };
}

const sourceOf = (image: LocatedImage): PluginSource => {
  const source = imagePlugins(image, 'linux', 'x64');
  if (typeof source === 'string') throw new Error(source);
  return source;
};

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('docker CLI plugins from the guest image', () => {
  it("takes the image's plugins only where they run: Linux on x64, from a manifest that lists them", () => {
    const image = imageWith({ 'docker-compose': 'compose v1' });
    expect(sourceOf(image).plugins['docker-compose']?.version).toBe('1.0-1');
    expect(imagePlugins(image, 'darwin', 'arm64')).toMatch(/for Linux on x64, not darwin on arm64/);
    expect(imagePlugins({ ...image, manifest: { ...image.manifest, cliPlugins: undefined } }, 'linux', 'x64')).toMatch(/lists no CLI plugins/);
    // A name that could leave the plugins folder is not a plugin.
    const escaping = { ...image.manifest, cliPlugins: { '../docker-x': (image.manifest.cliPlugins as Record<string, unknown>)['docker-compose'] } };
    expect(imagePlugins({ ...image, manifest: escaping }, 'linux', 'x64')).toMatch(/lists no CLI plugins/);
  });

  it('copies each plugin executable into its folder, and again only when it changed', () => {
    const target = join(fresh(), 'cli-plugins');
    const first = sourceOf(imageWith({ 'docker-compose': 'compose v1', 'docker-buildx': 'buildx v1' }));
    expect(installPlugins(first, target)).toEqual({ copied: ['docker-compose', 'docker-buildx'], kept: [] });
    expect(readFileSync(join(target, 'docker-compose'), 'utf8')).toBe('compose v1');
    expect(statSync(join(target, 'docker-buildx')).mode & 0o777).toBe(0o755);
    const before = statSync(join(target, 'docker-compose')).mtimeMs;

    expect(installPlugins(first, target)).toEqual({ copied: [], kept: ['docker-compose', 'docker-buildx'] });
    expect(statSync(join(target, 'docker-compose')).mtimeMs).toBe(before);

    // A newer image: the changed plugin is replaced, the one it no longer has is removed.
    const second = sourceOf(imageWith({ 'docker-compose': 'compose v2, longer' }));
    expect(installPlugins(second, target)).toEqual({ copied: ['docker-compose'], kept: [] });
    expect(readFileSync(join(target, 'docker-compose'), 'utf8')).toBe('compose v2, longer');
    expect(existsSync(join(target, 'docker-buildx'))).toBe(false);

    // A plugin changed or deleted by hand is put back.
    writeFileSync(join(target, 'docker-compose'), 'edited');
    expect(installPlugins(second, target).copied).toEqual(['docker-compose']);
    expect(readFileSync(join(target, 'docker-compose'), 'utf8')).toBe('compose v2, longer');
    rmSync(join(target, 'docker-compose'));
    expect(installPlugins(second, target).copied).toEqual(['docker-compose']);
    expect(statSync(join(target, 'docker-compose')).mode & 0o777).toBe(0o755);
  });

  it('refuses an image whose plugin file is not the one its manifest lists, saying to rebuild it', () => {
    const image = imageWith({ 'docker-compose': 'compose v1' });
    writeFileSync(join(image.dir, 'cli-plugins', 'docker-compose'), 'truncated');
    expect(() => installPlugins(sourceOf(image), fresh())).toThrow(/docker-compose is missing or not the file its list names/);
    expect(sourceOf(image).repair).toMatch(/berth image build/);
  });
});

describe('docker CLI plugins an installed Berth carries', () => {
  /** A packaged resources folder whose cli-plugins/<platform>-<arch>/ holds `files`, listed in plugins.json. */
  function installedWith(host: Omit<Host, 'resources'>, files: Record<string, string>): Host {
    const resources = fresh();
    const dir = join(resources, 'cli-plugins', `${host.platform}-${host.arch}`);
    mkdirSync(dir, { recursive: true });
    const list: Record<string, unknown> = {};
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), content, { mode: 0o755 });
      list[name] = { package: 'docker/compose', version: '2.26.1', sha256: createHash('sha256').update(content).digest('hex'), size: Buffer.byteLength(content) };
    }
    writeFileSync(join(dir, 'plugins.json'), JSON.stringify(list));
    return { ...host, resources };
  }

  it("takes the installed app's plugins for its host before the image's, Windows' .exe names included", () => {
    const image = imageWith({ 'docker-compose': 'linux compose' });
    const windows = installedWith({ platform: 'win32', arch: 'x64' }, { 'docker-compose.exe': 'windows compose' });
    const source = pluginSource(image, windows);
    if (typeof source === 'string') throw new Error(source);
    expect(source.dir).toBe(join(windows.resources!, 'cli-plugins', 'win32-x64'));
    expect(Object.keys(source.plugins)).toEqual(['docker-compose.exe']);
    const target = fresh();
    expect(installPlugins(source, target).copied).toEqual(['docker-compose.exe']);
    expect(readFileSync(join(target, 'docker-compose.exe'), 'utf8')).toBe('windows compose');

    // A source tree, or an installed app without plugins for its host: the image's, where they run.
    expect(pluginSource(image, { resources: null, platform: 'linux', arch: 'x64' })).toMatchObject({ dir: join(image.dir, 'cli-plugins') });
    expect(pluginSource(image, { resources: fresh(), platform: 'darwin', arch: 'arm64' })).toMatch(/for Linux on x64, not darwin on arm64/);
  });

  it('says to install Berth again when its plugins or their list are damaged', () => {
    const host = installedWith({ platform: 'darwin', arch: 'arm64' }, { 'docker-buildx': 'buildx' });
    const dir = join(host.resources!, 'cli-plugins', 'darwin-arm64');
    const source = carriedPlugins(dir);
    if (typeof source === 'string') throw new Error(source);
    writeFileSync(join(dir, 'docker-buildx'), 'cut');
    expect(() => installPlugins(source, fresh())).toThrow(expect.objectContaining({ hint: 'Install Berth again.' }));
    writeFileSync(join(dir, 'plugins.json'), '{ "../docker-x": {} }');
    expect(carriedPlugins(dir)).toMatch(/plugins\.json is not a list of plugins: install Berth again/);
    writeFileSync(join(dir, 'plugins.json'), '{ cut');
    expect(carriedPlugins(dir)).toMatch(/plugins\.json does not read as JSON/);
  });
});

describe("config.json's cliPluginsExtraDirs", () => {
  it('adds the folder after the ones there, keeping every other key, once', () => {
    const config = { cliPluginsExtraDirs: ['/opt/plugins'], credsStore: 'pass', proxies: { default: {} } };
    expect(addExtraDir(config, '/home/ana/berth/cli-plugins')).toBe('added');
    expect(config).toEqual({ cliPluginsExtraDirs: ['/opt/plugins', '/home/ana/berth/cli-plugins'], credsStore: 'pass', proxies: { default: {} } });
    expect(addExtraDir(config, '/home/ana/berth/cli-plugins/')).toBe('present');
    expect(config.cliPluginsExtraDirs).toHaveLength(2);
    const empty: Record<string, unknown> = {};
    expect(addExtraDir(empty, '/b')).toBe('added');
    expect(empty).toEqual({ cliPluginsExtraDirs: ['/b'] });
  });

  it('leaves a value that is not a list of folders exactly as it is', () => {
    for (const odd of ['/opt/plugins', [1, '/x'], { dir: '/x' }, null]) {
      const config = { cliPluginsExtraDirs: odd };
      expect(addExtraDir(config, '/b')).toBe('not-a-list');
      expect(config.cliPluginsExtraDirs).toBe(odd);
    }
  });

  it('writes config.json only when the folder is missing from it', () => {
    const env = configEnv();
    const path = dockerConfigPath(env);
    writeFileSync(path, JSON.stringify({ auths: { 'registry.example': {} }, cliPluginsExtraDirs: ['/opt/plugins'] }));
    expect(usePluginDir(env, '/b')).toBe('added');
    const written = readFileSync(path, 'utf8');
    expect(JSON.parse(written)).toEqual({ auths: { 'registry.example': {} }, cliPluginsExtraDirs: ['/opt/plugins', '/b'] });
    const { mtimeMs, ino } = statSync(path);
    expect(usePluginDir(env, '/b')).toBe('present');
    expect(statSync(path)).toMatchObject({ mtimeMs, ino });

    const odd = configEnv();
    writeFileSync(dockerConfigPath(odd), '{"cliPluginsExtraDirs": "/opt/plugins"}');
    expect(usePluginDir(odd, '/b')).toBe('not-a-list');
    expect(readFileSync(dockerConfigPath(odd), 'utf8')).toBe('{"cliPluginsExtraDirs": "/opt/plugins"}');
  });
});

describe('the start step for CLI plugins', () => {
  it('installs and names the folder, and reports a problem without failing', () => {
    const env = configEnv();
    const target = join(fresh(), 'cli-plugins');
    const logged: string[] = [];
    const image = imageWith({ 'docker-compose': 'compose v1' });
    const shown = provideCliPlugins(image, target, env, (line) => logged.push(line));
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      expect(shown).toMatch(/^none installed/);
      return;
    }
    expect(shown).toBe('docker-compose 1.0-1 (copied docker-compose)');
    expect(JSON.parse(readFileSync(dockerConfigPath(env), 'utf8'))).toEqual({ cliPluginsExtraDirs: [target] });
    expect(provideCliPlugins(image, target, env, (line) => logged.push(line))).toBe('docker-compose 1.0-1');

    writeFileSync(dockerConfigPath(env), '{ not json');
    rmSync(target, { recursive: true });
    const broken = provideCliPlugins(image, target, env, (line) => logged.push(line));
    expect(broken).toMatch(/^not installed: .*config\.json.* is not valid JSON/);
    expect(logged.at(-1)).toBe(`CLI plugins: ${broken}`);
  });
});
