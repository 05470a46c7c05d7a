import { describe, expect, it } from 'vitest';
import { backendSocket, hostBinaryPaths, inImage, parseMetadata } from './metadata';

const parse = (value: unknown) => parseMetadata(JSON.stringify(value), 'team/ext:1');

describe('metadata.json', () => {
  it('reads a full one, letting dropped fields through', () => {
    const metadata = parse({
      name: 'old field',
      icon: 'docker.svg',
      ui: { 'dashboard-tab': { title: 'My Ext', root: '/ui', src: 'index.html', backend: { socket: 'ext.sock' } } },
      vm: { image: '${DESKTOP_PLUGIN_IMAGE}' },
      host: { binaries: [{ darwin: [{ path: '/darwin/tool' }], linux: [{ path: '/linux/tool' }, { path: 'linux/helper' }] }, { windows: [{ path: '/windows/tool.exe' }] }] },
    });
    expect(metadata.ui?.['dashboard-tab']?.title).toBe('My Ext');
    expect(hostBinaryPaths(metadata, 'linux')).toEqual(['/linux/tool', '/linux/helper']);
    expect(hostBinaryPaths(metadata, 'win32')).toEqual(['/windows/tool.exe']);
    expect(backendSocket(metadata)).toBe('ext.sock');
    expect(backendSocket(parse({ icon: 'i.svg', vm: { composefile: 'c.yaml', exposes: { socket: 'vm.sock' } } }))).toBe('vm.sock');
  });

  it('reads the smallest one: an icon alone', () => {
    expect(parse({ icon: 'icon.png' })).toEqual({ icon: 'icon.png' });
  });

  it('reads one without an icon, as Docker\'s samples that give it in a label are', () => {
    const tab = { title: 'Minimal', root: '/ui', src: 'index.html' };
    expect(parse({ ui: { 'dashboard-tab': tab } })).toEqual({ ui: { 'dashboard-tab': tab } });
    expect(parse({}).icon).toBeUndefined();
  });

  it('quotes the parser when the text is not JSON', () => {
    expect(() => parseMetadata('{"icon": "a.svg",', 'team/ext:1')).toThrow(
      expect.objectContaining({ name: 'ExtensionMetadataInvalid', message: expect.stringMatching(/^The metadata.json of team\/ext:1 is not valid JSON: /) }),
    );
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['an empty icon path', { icon: '', ui: {} }, /icon/],
    ['a tab without its page', { icon: 'a.svg', ui: { 'dashboard-tab': { title: 'T', root: '/ui' } } }, /ui\.dashboard-tab\.src/],
    ['a page that leaves the UI root', { icon: 'a.svg', ui: { 'dashboard-tab': { title: 'T', root: '/ui', src: '../../etc/passwd' } } }, /src is a page under the UI root/],
    ['the image root as UI root', { icon: 'a.svg', ui: { 'dashboard-tab': { title: 'T', root: '/', src: 'index.html' } } }, /not the whole image/],
    ['a vm with both image and compose file', { icon: 'a.svg', vm: { image: 'x', composefile: 'c.yaml' } }, /exactly one of image and composefile/],
    ['a vm with neither', { icon: 'a.svg', vm: {} }, /exactly one of image and composefile/],
    ['a socket with a path', { icon: 'a.svg', vm: { image: 'x', exposes: { socket: '../../run/docker.sock' } } }, /vm\.exposes\.socket/],
    ['binaries that are not a list', { icon: 'a.svg', host: { binaries: { linux: '/tool' } } }, /host\.binaries/],
    ['a list instead of an object', [], /expected object/],
  ];
  for (const [what, value, message] of invalid) {
    it(`refuses ${what}, saying where`, () => {
      expect(() => parse(value)).toThrow(expect.objectContaining({ name: 'ExtensionMetadataInvalid', message: expect.stringMatching(message) }));
    });
  }

  it('reads paths in the image as absolute, normalised ones', () => {
    expect(inImage('ui')).toBe('/ui');
    expect(inImage('/ui/')).toBe('/ui/');
    expect(inImage('../../x')).toBe('/x');
  });
});
