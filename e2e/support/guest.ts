import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { BerthError } from '../../src/main/api/errors';
import { ciphersFor } from '../../src/main/tunnel/cipher';
import { runInGuest } from '../../src/main/tunnel/guestCommand';
import { SshLink } from '../../src/main/tunnel/link';
import { clockOff, type Instance, type Run } from './berth';

/** The command line of the QEMU that runs the instance's guest, its arguments joined by spaces. */
export function qemuCommandLine(instance: Instance): string {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/qemu-system/.test(args[0] ?? '') && args.some((arg) => arg.includes(instance.home))) return args.join(' ');
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no QEMU runs the guest of ${instance.home}`);
}

/** The SSH port QEMU forwards to the instance's guest, read from its command line. */
function sshPort(instance: Instance): number {
  const found = /hostfwd=tcp:127\.0\.0\.1:(\d+)-:22/.exec(qemuCommandLine(instance));
  if (!found) throw new Error(`the QEMU of ${instance.home} forwards no SSH port: start it with BERTH_TEST_SSH_TCP=1`);
  return Number(found[1]);
}

/** A second SSH connection to the instance's guest, with Berth's own key, as the daemon's. */
export async function guestLink(instance: Instance): Promise<SshLink> {
  const link = new SshLink({
    to: { port: sshPort(instance) },
    privateKey: readFileSync(join(instance.home, 'ssh', 'id_ed25519'), 'utf8'),
    ciphers: ciphersFor('tcg'),
    knownHostFile: join(instance.home, 'ssh', 'known_host'),
    log: () => undefined,
  });
  await link.open(30_000);
  return link;
}

/**
 * A guestLink opened before the tests of the file (or describe block) that calls it and closed after them:
 * one second SSH connection for all of them. Returns what gives the open link.
 */
export function guestLinkForTests(instance: Instance): () => SshLink {
  let link: SshLink | undefined;
  beforeAll(async () => {
    link = await guestLink(instance);
  });
  afterAll(() => link?.close());
  return () => {
    if (!link) throw new Error('the guest link opens in beforeAll: use it inside a test');
    return link;
  };
}

/**
 * Runs a shell script in the guest itself (its root, mount namespace and tools) as root, over a link from
 * guestLink: reading or setting the guest's state this way starts no container, which takes seconds under emulation.
 */
export async function inGuest(link: SshLink, script: string): Promise<Run> {
  try {
    return { code: 0, stdout: await runInGuest(link, script, { hint: 'test', timeoutMs: 60_000 }), stderr: '' };
  } catch (error) {
    if (error instanceof BerthError) return { code: 1, stdout: '', stderr: error.message };
    throw error;
  }
}

/** clockOff of the guest's clock read over `link`: no container starts for it. */
export const linkClockOff = (link: SshLink): Promise<number> =>
  clockOff(async () => {
    const said = await inGuest(link, 'date +%s');
    if (said.code !== 0) throw new Error(`the guest's clock could not be read: ${said.stderr}`);
    return said.stdout;
  });
