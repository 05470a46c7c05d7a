import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchDockerCertificates } from './certsWatch';

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup) undo();
  cleanup = [];
});

async function until(what: () => boolean, label: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("following the docker CLI's certs.d", () => {
  it('sees certs.d appear under a DOCKER_CONFIG that does not exist yet, then each CA file added, changed and removed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-certs-watch-'));
    const config = join(root, 'docker');
    let calls = 0;
    const watch = watchDockerCertificates({ DOCKER_CONFIG: config }, () => (calls += 1));
    cleanup.push(() => watch.stop(), () => rmSync(root, { recursive: true, force: true }));

    const certs = join(config, 'certs.d');
    mkdirSync(join(certs, 'registry.local:5000'), { recursive: true });
    await until(() => calls >= 1, 'certs.d to appear');

    const settled = calls;
    writeFileSync(join(certs, 'registry.local:5000', 'ca.crt'), 'one');
    await until(() => calls > settled, 'a new ca.crt');

    const written = calls;
    writeFileSync(join(certs, 'registry.local:5000', 'ca.crt'), 'two');
    await until(() => calls > written, 'a rewritten ca.crt');

    const rewritten = calls;
    rmSync(certs, { recursive: true });
    await until(() => calls > rewritten, 'certs.d removed');

    const removed = calls;
    mkdirSync(join(certs, 'again.local'), { recursive: true });
    writeFileSync(join(certs, 'again.local', 'ca.crt'), 'three');
    await until(() => calls > removed, 'certs.d made again');
  });

  it('calls once for a burst of changes', async () => {
    const config = mkdtempSync(join(tmpdir(), 'berth-certs-watch-'));
    mkdirSync(join(config, 'certs.d'));
    let calls = 0;
    const watch = watchDockerCertificates({ DOCKER_CONFIG: config }, () => (calls += 1));
    cleanup.push(() => watch.stop(), () => rmSync(config, { recursive: true, force: true }));
    for (const name of ['a.local', 'b.local', 'c.local']) {
      mkdirSync(join(config, 'certs.d', name));
      writeFileSync(join(config, 'certs.d', name, 'ca.crt'), name);
    }
    await until(() => calls >= 1, 'the burst');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(calls).toBe(1);
  });
});
