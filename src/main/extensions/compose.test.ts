import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Extension } from '../api/extensions';
import { composeForGuest, VM_SERVICE_LABEL } from './compose';

const extension = { key: '0123456789abcdef', id: 'acme/tool', title: 'Tool' } as Extension;
type Service = { volumes: unknown[]; labels: Record<string, string>; restart?: string; image?: string };
const rewrite = (text: string): { services: Record<string, Service>; volumes?: unknown; name?: string } => parse(composeForGuest(text, extension, '/x/vm/compose.yaml'));

describe('composeForGuest', () => {
  it("mounts the extension's own socket folder, labels every service and sets a restart policy", () => {
    const out = rewrite(`
name: chosen
services:
  api:
    image: \${DESKTOP_PLUGIN_IMAGE}
    volumes: [data:/data, "/var/run/docker.sock.raw:/var/run/docker.sock"]
    labels: [org.example.a=1, "org.example.b=x=y"]
  side:
    image: busybox
    restart: "no"
    labels: { org.example.c: two, berth.extension.key: ffffffffffffffff, ${VM_SERVICE_LABEL}: "true" }
volumes:
  data:
`);
    expect(out.name).toBeUndefined();
    expect(out.volumes).toEqual({ data: null });
    const { api, side } = out.services;
    expect(api.image).toBe('${DESKTOP_PLUGIN_IMAGE}');
    expect(api.volumes).toEqual(['data:/data', '/var/run/docker.sock.raw:/var/run/docker.sock', '/run/guest-services/0123456789abcdef:/run/guest-services']);
    expect(api.labels).toEqual({
      'org.example.a': '1',
      'org.example.b': 'x=y',
      'com.docker.desktop.extension': 'true',
      'com.docker.desktop.extension.name': 'acme/tool',
      'berth.extension.key': '0123456789abcdef',
      [VM_SERVICE_LABEL]: 'true',
    });
    expect(api.restart).toBe('unless-stopped');
    // A service cannot claim another extension's key, nor to be the one vm.cli.exec runs in.
    expect(side.labels['berth.extension.key']).toBe('0123456789abcdef');
    expect(side.labels[VM_SERVICE_LABEL]).toBeUndefined();
    expect(side.labels['org.example.c']).toBe('two');
    expect(side.restart).toBe('no');
    expect(side.volumes).toEqual(['/run/guest-services/0123456789abcdef:/run/guest-services']);
  });

  it('replaces a mount of its own at /run/guest-services, in either syntax', () => {
    const out = rewrite(`
services:
  a:
    image: x
    volumes:
      - shared:/run/guest-services
      - { type: volume, source: other, target: /run/guest-services }
      - /run/guest-services
      - { type: bind, source: ./conf, target: /conf }
`);
    expect(out.services.a.volumes).toEqual([{ type: 'bind', source: './conf', target: '/conf' }, '/run/guest-services/0123456789abcdef:/run/guest-services']);
  });

  it('resolves YAML merge keys, which compose files use for shared settings', () => {
    const out = rewrite(`
x-common: &common
  image: shared
  environment: { A: "1" }
services:
  one:
    <<: *common
  two:
    <<: *common
`);
    expect(out.services.one.image).toBe('shared');
    expect(out.services.two.labels['berth.extension.key']).toBe('0123456789abcdef');
    expect(out.services.two.labels[VM_SERVICE_LABEL]).toBeUndefined();
  });

  it('refuses a file that is not a compose file, naming it', () => {
    for (const text of ['services: [', 'just text', 'services: {}', 'services:\n  a: 3\n']) {
      expect(() => composeForGuest(text, extension, '/x/vm/compose.yaml')).toThrow(/Tool's compose file \/x\/vm\/compose.yaml/);
    }
  });
});

describe("binds of other extensions' folders", () => {
  const service = (volume: string): string => `services:\n  api:\n    image: x\n    volumes: [${JSON.stringify(volume)}]\n`;
  it.each([
    '/run/guest-services/ffffffffffffffff:/other',
    '/run/guest-services:/all',
    '/var/run/guest-services/ffffffffffffffff:/other',
    '/run:/hostrun',
    '/:/host',
    '../ffffffffffffffff:/other',
    '/mnt/data/extensions:/all',
  ])('refuses %s', (volume) => {
    expect(() => composeForGuest(service(volume), extension, '/x/vm/compose.yaml')).toThrow(/which holds other extensions' sockets or files/);
  });

  it('refuses the long syntax too', () => {
    const text = 'services:\n  api:\n    image: x\n    volumes:\n      - { type: bind, source: /run/guest-services, target: /s }\n';
    expect(() => composeForGuest(text, extension, '/x/vm/compose.yaml')).toThrow(/binds \/run\/guest-services into service "api"/);
  });

  it('keeps its own folder, named volumes and the engine socket', () => {
    const out = rewrite(service('./data:/data').replace(']', ', "state:/state", "/var/run/docker.sock.raw:/var/run/docker.sock", "/tmp:/tmp"]'));
    expect(out.services.api.volumes).toEqual(['./data:/data', 'state:/state', '/var/run/docker.sock.raw:/var/run/docker.sock', '/tmp:/tmp', '/run/guest-services/0123456789abcdef:/run/guest-services']);
  });
});
