import { appendFileSync, createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { expect } from 'vitest';

/** Secrets a log might have caught, written into the daemon log of the instance at `home`. */
const PLANTED = ['planted-password', 'planted-auth', 'planted-url-secret'];

export function plantSecrets(home: string): void {
  appendFileSync(join(home, 'logs', 'daemon.log'), 'a leak: {"password":"planted-password"} X-Registry-Auth: planted-auth https://ada:planted-url-secret@registry.test/\n');
}

/** Every file of a .tar.gz, by name. */
export async function readBundle(path: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const reader = extract();
  reader.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      files.set(header.name, Buffer.concat(chunks).toString('utf8'));
      next();
    });
  });
  await pipeline(createReadStream(path), createGunzip(), reader);
  return files;
}

/**
 * Checks a bundle made while the engine ran: the user's alone, with the logs, start steps, versions and the
 * guest's view, and with neither the planted secrets nor any of `secrets` in it. Answers its files.
 */
export async function expectSoundBundle(path: string, secrets: string[]): Promise<Map<string, string>> {
  expect(path).toMatch(/diagnostics\/berth-diagnostics-\d{8}-\d{6}\.tar\.gz$/);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const files = await readBundle(path);
  const status = JSON.parse(files.get('status.json')!) as { state: string; steps: Array<{ label: string; ms: number }> };
  expect(status.state).toBe('running');
  expect(status.steps.some((step) => step.label === 'Docker API answers' && step.ms > 0)).toBe(true);
  expect(files.get('versions.txt')).toMatch(/qemu: QEMU emulator version/);
  expect(files.get('logs/daemon.log')).toContain('engine starting -> running');
  expect(files.get('logs/console.log')).toContain('berth:');
  expect(files.get('guest/dmesg.txt')).toContain('Linux version');
  expect(files.get('guest/dockerd.log')).toMatch(/API listen|Daemon has completed initialization/);
  expect(files.get('guest/df.txt')).toContain('/mnt/data');
  const everything = [...files.values()].join('\n');
  expect(everything).toContain('a leak: {"password":"[redacted]"}');
  for (const secret of [...secrets, ...PLANTED]) expect(everything).not.toContain(secret);
  return files;
}
