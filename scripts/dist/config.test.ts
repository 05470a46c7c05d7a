// electron-builder.yml, read and checked by electron-builder's own loader and schema, target by target: each
// installer carries the guest image of its architecture, QEMU (or the .deb's dependency on it), the CLI
// plugins for its host, and an icon; and its files land where src/main/resources.ts looks for them.
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { getFileMatchers, type FileMatcher } from 'app-builder-lib/out/fileMatcher';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration, PlatformSpecificBuildOptions, TargetConfiguration } from 'electron-builder';
import { describe, expect, it } from 'vitest';
import { carriesQemu, layout } from '../../src/main/resources';
import { DEB_QEMU, FORMATS, guestOf, hostOf, stageDir, targetConfig, targetName, TARGETS, type Target } from './targets';

const root = resolve(__dirname, '..', '..');
/** Where electron-builder puts an app's resources (the real folder differs per platform; the layout below it does not). */
const resourcesDir = join(root, 'dist', 'app', 'resources');

/** The configuration electron-builder builds `target` with: the file, what `npm run dist` adds, checked by its schema. */
async function effectiveConfig(target: Target): Promise<Configuration> {
  const config = await getConfig(root, null, targetConfig(target));
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}

const platformOptions = (config: Configuration, target: Target): PlatformSpecificBuildOptions => config[target.os] ?? {};

/**
 * electron-builder's ${os} and ${arch} for a target (its macro expander gives the target's platform key and
 * arch name); any other macro in a resource path would be expanded from the build machine, so it is refused.
 */
const expander = (target: Target) => (pattern: string): string =>
  pattern.replaceAll('${os}', target.os).replaceAll('${arch}', target.arch).replace(/\$\{[^}]*\}/, (macro) => {
    throw new Error(`${pattern}: ${macro} in a resource path`);
  });

/** The copies of `kind` for `target`, as electron-builder computes them: the file's list and the platform's. */
function copies(config: Configuration, target: Target, kind: 'files' | 'extraResources', to: string): FileMatcher[] {
  return (
    getFileMatchers(config, kind, to, {
      macroExpander: expander(target),
      customBuildOptions: platformOptions(config, target),
      globalOutDir: join(root, 'dist'),
      defaultSrc: root,
    }) ?? []
  );
}

const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(`${dir}${sep}`);

/** Where electron-builder copies a staged file from, for a path the resolver reads in the app; null when nothing lands there. */
function sourceOf(made: FileMatcher[], inApp: string): string | null {
  const copy = made.find((each) => inside(each.to, inApp));
  return copy ? join(copy.from, relative(copy.to, inApp)) : null;
}

function pngSize(path: string): { width: number; height: number } {
  const png = readFileSync(path);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the electron-builder configuration', () => {
  for (const target of TARGETS) {
    const host = hostOf(target);
    it(`${targetName(target)}: ${FORMATS[target.os].join(' and ')} carrying the ${guestOf(target)} guest, ${carriesQemu(host.platform) ? 'QEMU' : "the distribution's QEMU"}, the CLI plugins and an icon`, async () => {
      const config = await effectiveConfig(target);
      const options = platformOptions(config, target);
      const staged = stageDir(root, target);

      // The platform builds this installer for this arch.
      const listed = (options.target as TargetConfiguration[]).filter((each) => FORMATS[target.os].includes(each.target));
      expect(listed.map((each) => each.target).sort()).toEqual([...FORMATS[target.os]].sort());
      for (const each of listed) expect(each.arch).toContain(target.arch);

      // Each resource the app looks for comes from where `npm run dist` stages it for this target.
      const resources = copies(config, target, 'extraResources', resourcesDir);
      const needs = [layout.image(guestOf(target)), layout.cliPlugins(host)];
      for (const path of needs) expect(sourceOf(resources, join(resourcesDir, path))).toBe(join(staged, path));
      const qemu = sourceOf(resources, join(resourcesDir, layout.qemu(host)));
      const deb = config.deb?.depends ?? [];
      if (carriesQemu(host.platform)) {
        expect(qemu).toBe(join(staged, layout.qemu(host)));
      } else {
        // Linux: no QEMU inside; the .deb depends on the distribution's, and the AppImage finds it on PATH.
        expect(qemu).toBeNull();
        expect(deb).toContain(DEB_QEMU[guestOf(target)]);
        expect(deb).not.toContain(DEB_QEMU[guestOf(target) === 'arm64' ? 'amd64' : 'arm64']);
        // Setting depends replaces electron-builder's list: Electron's own libraries stay named.
        expect(deb).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libsecret-1-0']));
      }

      // An icon in resources/, large enough for every format electron-builder makes of it (icns needs 512 px).
      expect(options.icon).toMatch(/^resources\//);
      expect(pngSize(join(root, options.icon!)).width).toBeGreaterThanOrEqual(512);
    });
  }

  it('signs macOS builds with the hardened runtime, and gives QEMU the hypervisor entitlement it needs for HVF', async () => {
    const mac = (await effectiveConfig(TARGETS[0])).mac!;
    expect(mac.hardenedRuntime).toBe(true);
    const inherited = readFileSync(join(root, mac.entitlementsInherit!), 'utf8');
    for (const key of ['com.apple.security.hypervisor', 'com.apple.security.cs.allow-jit']) expect(inherited).toContain(`<key>${key}</key>`);
    expect(readFileSync(join(root, mac.entitlements!), 'utf8')).toContain('<key>com.apple.security.cs.allow-jit</key>');
  });

  it("packs the built code, the image recipe (its hash names cached images) and the tray's icons into the app", async () => {
    const target = TARGETS[3];
    const [app] = copies(await effectiveConfig(target), target, 'files', join(resourcesDir, 'app.asar'));
    expect(app!.from).toBe(root);
    expect(app!.patterns).toEqual(expect.arrayContaining(['out/**/*', 'vm/**/*', 'resources/tray*.png']));
  });
});
