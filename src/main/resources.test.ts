import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledCliPlugins, bundledImage, bundledQemu, packagedResources, type Host } from './resources';
import type { GuestArch } from './vm/arch';

const root = mkdtempSync(join(tmpdir(), 'berth-resources-'));
let count = 0;
const fresh = (): string => mkdtempSync(join(root, `${count++}-`));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const put = (path: string, content: string, mode = 0o644): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content, { mode });
};

/** Each installer, the resources folder its app runs from, and what it carries there (as electron-builder.yml lays it). */
const targets: { name: string; host: Omit<Host, 'resources'>; guest: GuestArch; appRoot: (dir: string) => string; qemu: string | null }[] = [
  { name: 'dmg, Apple silicon', host: { platform: 'darwin', arch: 'arm64' }, guest: 'arm64', appRoot: (dir) => join(dir, 'Berth.app', 'Contents', 'Resources', 'app.asar'), qemu: 'qemu-system-aarch64' },
  { name: 'dmg, Intel', host: { platform: 'darwin', arch: 'x64' }, guest: 'amd64', appRoot: (dir) => join(dir, 'Berth.app', 'Contents', 'Resources', 'app.asar'), qemu: 'qemu-system-x86_64' },
  { name: 'NSIS, x64', host: { platform: 'win32', arch: 'x64' }, guest: 'amd64', appRoot: (dir) => join(dir, 'Berth', 'resources', 'app.asar'), qemu: 'qemu-system-x86_64.exe' },
  { name: 'AppImage or .deb, x64', host: { platform: 'linux', arch: 'x64' }, guest: 'amd64', appRoot: (dir) => join(dir, 'opt', 'Berth', 'resources', 'app.asar'), qemu: null },
  { name: 'AppImage or .deb, arm64', host: { platform: 'linux', arch: 'arm64' }, guest: 'arm64', appRoot: (dir) => join(dir, 'opt', 'Berth', 'resources', 'app.asar'), qemu: null },
];

/** An installed app's resources folder holding what its installer carries for `host`. */
function install(target: (typeof targets)[number]): Host {
  const dir = fresh();
  const appRoot = target.appRoot(dir);
  put(appRoot, 'asar archive');
  const resources = packagedResources(appRoot);
  if (!resources) throw new Error(`${appRoot} is not an installed app's code`);
  const key = `${target.host.platform}-${target.host.arch}`;
  for (const name of ['vmlinux', 'initrd.img', 'base.img', 'manifest.json']) put(join(resources, 'vm', target.guest, name), name);
  put(join(resources, 'vm', target.guest, 'id'), `recipe-${target.guest}\n`);
  if (target.qemu) {
    put(join(resources, 'qemu', key, 'bin', target.qemu), '#!/bin/sh\n', 0o755);
    put(join(resources, 'qemu', key, 'share', 'qemu', 'edk2-aarch64-code.fd'), 'firmware');
  }
  put(join(resources, 'cli-plugins', key, 'plugins.json'), '{}');
  return { ...target.host, resources };
}

describe('the resources an installed Berth carries', () => {
  for (const target of targets) {
    it(`${target.name}: its guest image, ${target.qemu ? 'its QEMU with firmware' : "the distribution's QEMU on PATH"}, its CLI plugins`, () => {
      const host = install(target);
      const resources = host.resources!;
      const key = `${host.platform}-${host.arch}`;
      expect(bundledImage(host, target.guest)).toEqual({ dir: join(resources, 'vm', target.guest), id: `recipe-${target.guest}` });
      // Only the guest of the host's own architecture comes with it; another is built or named (BERTH_IMAGE).
      expect(bundledImage(host, target.guest === 'arm64' ? 'amd64' : 'arm64')).toBeNull();
      expect(bundledQemu(host, target.guest)).toEqual(
        target.qemu ? { binary: join(resources, 'qemu', key, 'bin', target.qemu), dataDir: join(resources, 'qemu', key, 'share', 'qemu') } : null,
      );
      expect(bundledCliPlugins(host)).toBe(join(resources, 'cli-plugins', key));
    });
  }

  it('finds the resources folder from where the code runs: app.asar, or an unpacked resources/app', () => {
    expect(packagedResources('/Applications/Berth.app/Contents/Resources/app.asar')).toBe('/Applications/Berth.app/Contents/Resources');
    expect(packagedResources('/opt/Berth/resources/app')).toBe('/opt/Berth/resources');
    expect(packagedResources('/home/ana/src/berth')).toBeNull();
    // A checkout that happens to be called app is still a checkout.
    expect(packagedResources('/home/ana/app')).toBeNull();
  });

  it('finds nothing in a source tree: the image cache, QEMU on PATH and the image\'s own plugins serve there', () => {
    for (const target of targets) {
      const host: Host = { ...target.host, resources: null };
      expect(bundledImage(host, target.guest)).toBeNull();
      expect(bundledQemu(host, target.guest)).toBeNull();
      expect(bundledCliPlugins(host)).toBeNull();
    }
  });

  it('passes over what an installed app lacks: a QEMU that is not executable, an image without its id, plugins without their list', () => {
    const host = install(targets[0]);
    const resources = host.resources!;
    rmSync(join(resources, 'vm', 'arm64', 'id'));
    expect(bundledImage(host, 'arm64')).toBeNull();
    chmodSync(join(resources, 'qemu', 'darwin-arm64', 'bin', 'qemu-system-aarch64'), 0o644);
    expect(bundledQemu(host, 'arm64')).toBeNull();
    rmSync(join(resources, 'cli-plugins', 'darwin-arm64', 'plugins.json'));
    expect(bundledCliPlugins(host)).toBeNull();
  });
});
