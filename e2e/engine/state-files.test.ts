import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, docker, importBusybox, instanceAt, status, type Instance } from '../support/berth';
import { qemuCommandLine } from '../support/guest';
import { sharedInstance } from '../support/shared';

// A comma in the home: QEMU reads the data disk, QMP and serial socket paths from option lists.
const instance = instanceAt(mkdtempSync(join(tmpdir(), 'bt-a,b-')));
const settings = join(instance.home, 'settings.json');
const privateKey = join(instance.home, 'ssh', 'id_ed25519');
const pair = ssh2.utils.generateKeyPairSync('ed25519');

/** The guest's TCP sockets that listen on port 22, from its own /proc/net/tcp (a container in its network namespace). */
async function guestListensOn22(target: Instance): Promise<string[]> {
  const read = await docker(target, ['run', '--rm', '--privileged', '--pid=host', 'busybox:offline', 'nsenter', '-t', '1', '-n', '--', 'cat', '/proc/net/tcp']);
  expect(read.code, read.stderr).toBe(0);
  expect(read.stdout).toMatch(/local_address/);
  // Columns: sl, local_address (hex IP:port), rem_address, st (0A: LISTEN).
  return read.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .flatMap(([, local, , state]) => (local?.endsWith(':0016') && state === '0A' ? [local] : []));
}

beforeAll(() => {
  // What a crash in the middle of an in-place write used to leave: half a private key beside its whole public half.
  mkdirSync(join(instance.home, 'ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(privateKey, pair.private.slice(0, pair.private.length / 2), { mode: 0o600 });
  writeFileSync(`${privateKey}.pub`, `${pair.public}\n`, { mode: 0o644 });
});

afterAll(async () => {
  await berth(instance, ['stop']);
  rmSync(instance.home, { recursive: true, force: true });
});

describe('state files', () => {
  it('refuses a settings file cut short, offering the last good copy with the command that restores it', async () => {
    const good = `${JSON.stringify({ version: 4, vm: { cpus: 2 } }, null, 2)}\n`;
    writeFileSync(`${settings}.last-good`, good, { mode: 0o600 });
    writeFileSync(settings, good.slice(0, 20));
    const refused = await berth(instance, ['start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`The settings file ${settings} is not valid JSON`);
    const command = `cp '${settings}.last-good' '${settings}'`;
    expect(refused.stderr).toContain(command);
    execFileSync('sh', ['-c', command]);
    expect(readFileSync(settings, 'utf8')).toBe(good);
  });

  it('starts over a private key cut short, with a new pair it names, in a home whose path has a comma', async () => {
    const started = await berth(instance, ['start']);
    expect(started.code, started.stderr).toBe(0);
    const steps = (await status(instance)).steps as Array<{ name: string; detail?: string }>;
    expect(steps.find((step) => step.name === 'keys')?.detail).toMatch(new RegExp(`^made a new key pair: ${privateKey} could not be read as a key`));
    const key = ssh2.utils.parseKey(readFileSync(privateKey, 'utf8'));
    expect(key).not.toBeInstanceOf(Error);
    // The public half the guest was given is the new key's, not the old one left beside it.
    expect(readFileSync(`${privateKey}.pub`, 'utf8')).toMatch(/^ssh-ed25519 \S+ berth\n$/);
    expect(readFileSync(`${privateKey}.pub`, 'utf8')).not.toContain(pair.public.split(' ')[1]);
    expect(readFileSync(join(instance.home, 'ssh', 'known_host'), 'utf8')).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=\n$/);
    const version = await docker(instance, ['version', '--format', '{{.Server.Version}}']);
    expect(version.code, version.stderr).toBe(0);
    const line = qemuCommandLine(instance);
    const escaped = instance.home.replaceAll(',', ',,');
    expect(line).toContain(`-chardev socket,id=qmp,path=${escaped}/run/qmp.sock,server=on`);
    expect(line).toContain(`file=${escaped}/data.img,format=raw`);
    expect(line).toContain(`path=${escaped}/run/ssh.sock,server=on`);
  });

  it('forwards no port to the guest and has nothing listen on its TCP port 22, unless a test asks', async () => {
    expect((await importBusybox(instance, 'busybox:offline')).code).toBe(0);
    expect(qemuCommandLine(instance)).not.toMatch(/hostfwd=[^ ]*-:22/);
    expect(await guestListensOn22(instance)).toEqual([]);
    // The shared instance asks (BERTH_TEST_SSH_TCP=1): the same look finds its sshd, on eth0's address only.
    const shared = sharedInstance();
    expect(qemuCommandLine(shared)).toMatch(/hostfwd=tcp:127\.0\.0\.1:\d+-:22/);
    expect(await guestListensOn22(shared)).toEqual(['0F02000A:0016']);
  });
});
