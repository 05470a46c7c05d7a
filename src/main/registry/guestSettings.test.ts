import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRegistrySettings, checkRegistrySize, dockerCertificates, effectiveRegistrySettings, registryValues } from './guestSettings';

const pem = (body: string): string => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A DOCKER_CONFIG whose certs.d holds `files` (path below certs.d -> content). */
function dockerConfig(files: Record<string, string>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'berth-certs-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, 'certs.d', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'certs.d', path), content);
  }
  return { DOCKER_CONFIG: dir };
}

describe('registry settings for the guest', () => {
  it('encodes one line per entry, each field free of spaces, the PEM whole', () => {
    const ca = pem('AAAA\nBBBB');
    const lines = registryValues({ certificates: [{ server: 'registry.local:5000', ca }], insecure: ['10.0.2.2/32', 'plain.local:5000'] });
    expect(lines.split('\n')).toEqual([
      'insecure 10.0.2.2/32',
      'insecure plain.local:5000',
      `ca registry.local:5000 ${Buffer.from(`${ca}\n`).toString('base64')}`,
      '',
    ]);
    expect(registryValues({ certificates: [], insecure: [] })).toBe('');
  });

  it("takes the docker CLI's certs.d CA files, a saved entry for the same server winning", () => {
    const env = dockerConfig({
      'mine.local:5000/ca.crt': pem('FROMDOCKER'),
      'other.local/ca.crt': `${pem('OTHER')}\n`,
      'client-only.local/client.cert': 'not a CA',
      'not a name/ca.crt': pem('X'),
      'junk.local/ca.crt': 'not PEM at all',
    });
    const logged: string[] = [];
    const effective = effectiveRegistrySettings(
      { certificates: [{ server: 'mine.local:5000', ca: pem('SAVED') }], insecure: ['mine.local:5000'] },
      env,
      (line) => logged.push(line),
    );
    expect(effective).toEqual({
      certificates: [
        { server: 'mine.local:5000', ca: pem('SAVED') },
        { server: 'other.local', ca: pem('OTHER') },
      ],
      insecure: ['mine.local:5000'],
    });
    expect(logged.join('\n')).toMatch(/junk\.local\/ca\.crt left out: not a PEM/);
    expect(logged.join('\n')).toMatch(/not a name\/ca\.crt left out: the folder is not named/);
  });

  it('finds nothing, quietly, when certs.d does not exist', () => {
    expect(dockerCertificates(dockerConfig({}))).toEqual([]);
  });

  it('refuses what would keep dockerd from starting', () => {
    const check = (insecure: string[], servers: string[] = []) => () =>
      checkRegistrySettings({ insecure, certificates: servers.map((server) => ({ server, ca: pem('A') })) }, 'fix it');
    expect(check(['10.0.2.2/32', '192.168.0.0/16', 'registry.local', 'registry.local:65535'], ['a.local', 'b.local:443'])).not.toThrow();
    expect(check(['10.0.2.300/32'])).toThrow(/10\.0\.2\.300\/32.*0-255/);
    expect(check(['010.0.2.2/32'])).toThrow(/without leading zeros/);
    expect(check(['10.0.0.0/33'])).toThrow(/prefix at most 32/);
    expect(check(['registry.local:70000'])).toThrow(/port is above 65535/);
    expect(check(['https://index.docker.io/v1/'])).toThrow(/registry-1\.docker\.io/);
    expect(check([], ['a.local', 'a.local'])).toThrow(/two certificate entries/);
    expect(check([], ['https://index.docker.io/v1/'])).toThrow(/named by its host/);
  });

  it('refuses settings too large to hand the VM at start', () => {
    const bundle = pem('A'.repeat(60 * 1024));
    const certificates = (count: number) => [...Array(count)].map((_, index) => ({ server: `r${index}.local`, ca: bundle }));
    expect(() => checkRegistrySize({ certificates: certificates(2), insecure: [] }, 'fewer')).not.toThrow();
    expect(() => checkRegistrySize({ certificates: certificates(3), insecure: [] }, 'fewer')).toThrow(/add up to 241 KB.*at most 192 KB/);
  });
});
