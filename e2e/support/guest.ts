import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ciphersFor } from '../../src/main/tunnel/cipher';
import { SshLink } from '../../src/main/tunnel/link';
import type { Instance } from './berth';

/** The SSH port QEMU forwards to the instance's guest, read from its command line. */
function sshPort(instance: Instance): number {
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(instance.home)) continue;
      const found = /hostfwd=tcp:127\.0\.0\.1:(\d+)-:22/.exec(cmdline);
      if (found) return Number(found[1]);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no QEMU of ${instance.home} forwards an SSH port`);
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
