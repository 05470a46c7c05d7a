import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/main/settings/store';
import { docker, status } from '../support/berth';
import { guestLinkForTests, inGuest as inGuestOver } from '../support/guest';
import { sharedInstance } from '../support/shared';

const instance = sharedInstance();
const guest = guestLinkForTests(instance);

/** Reads the guest's own state (its root, mount namespace and tools): no container comes and goes for it. */
const inGuest = (script: string) => inGuestOver(guest(), script);

describe('the guest kernel under emulation', () => {
  it('pins its cgroup static keys at boot, so containers patch no kernel code', async () => {
    expect(readFileSync(join(instance.home, 'logs', 'console.log'), 'utf8')).not.toContain('warn pin-keys-failed');
    const held = await inGuest('cat /sys/fs/cgroup/berth/cgroup.controllers');
    expect(held.stdout, held.stderr).toMatch(/\bcpuset\b.*\bmemory\b/);

    // Trace every batch of live kernel patching, with its caller, while a container comes and goes.
    const tracing = await inGuest(
      'T=/sys/kernel/tracing; mountpoint -q $T || mount -t tracefs nodev $T; ' +
        'echo text_poke_bp_batch > $T/set_ftrace_filter; echo 1 > $T/options/func_stack_trace; ' +
        'echo function > $T/current_tracer; echo > $T/trace',
    );
    expect(tracing.code, tracing.stderr).toBe(0);
    const run = await docker(instance, ['run', '--rm', 'busybox:offline', 'true']);
    expect(run.code, run.stderr).toBe(0);
    const trace = await inGuest('T=/sys/kernel/tracing; cat $T/trace; echo nop > $T/current_tracer; echo > $T/set_ftrace_filter');
    expect(trace.code, trace.stderr).toBe(0);
    expect(trace.stdout).toContain('# tracer: function');
    // Patches made for cgroups (memcg, cpuset, cgroup BPF) are the ones that crash a TCG guest.
    const cgroupPatches = trace.stdout.split('<stack trace>').filter((stack) => /cgroup|css_/.test(stack));
    expect(cgroupPatches).toEqual([]);
  });

  it('leaves out the security modules that have no policy in the guest, and containers keep seccomp and a reduced capability set', async () => {
    const modules = await inGuest('dmesg | grep "LSM: initializing"');
    expect(modules.code, modules.stderr).toBe(0);
    // Lockdown, IMA and EVM always start (with no policy they check nothing); the rest are left out.
    const started = /LSM: initializing lsm=([\w,]+)/.exec(modules.stdout)![1].split(',');
    expect(started).toContain('capability');
    for (const module of ['selinux', 'apparmor', 'landlock', 'yama', 'tomoyo', 'bpf', 'ipe']) expect(started).not.toContain(module);
    const confined = await docker(instance, ['run', '--rm', 'busybox:offline', 'cat', '/proc/self/status']);
    expect(confined.code, confined.stderr).toBe(0);
    // Docker's default seccomp profile (filter mode 2) and its default capability set, without CAP_SYS_ADMIN.
    expect(confined.stdout).toMatch(/Seccomp:\s+2/);
    const capabilities = BigInt(`0x${/CapEff:\s+([0-9a-f]+)/.exec(confined.stdout)![1]}`);
    expect(capabilities).not.toBe(0n);
    expect(capabilities & (1n << 21n)).toBe(0n);
  });

  it('gives containers and `docker info` every vCPU of the setting, whatever it placed its daemons on for their start', async () => {
    const cpus = loadSettings(join(instance.home, 'settings.json')).vm.cpus;
    const emulated = (await status(instance)).accelerator === 'tcg';
    // Under emulation dockerd starts on vCPU 0 alone (containerd on vCPU 1), and is launched so again on a restart.
    const launch = await inGuest('cat /run/berth/dockerd.launch');
    expect(launch.code, launch.stderr).toBe(0);
    expect(launch.stdout).toContain(emulated && cpus >= 2 ? "ON0='taskset -c 0'" : "ON0=''");
    // Once dockerd answers, every thread of both may run on every vCPU.
    const placed = await inGuest('for d in dockerd containerd; do grep -h Cpus_allowed_list /proc/$(cat /run/berth/$d.pid)/task/*/status; done | sort -u');
    expect(placed.code, placed.stderr).toBe(0);
    expect(placed.stdout.trim().split('\n').map((line) => line.split(/\s+/).pop())).toEqual([cpus === 1 ? '0' : `0-${cpus - 1}`]);
    // Berth's SSH link alone stays on vCPU 0, where dockerd starts: its serial loop and the sshd serving the host.
    const link = await inGuest('L=$(cat /run/berth/ssh-serial.pid); grep -h Cpus_allowed_list /proc/$L/status; for p in $(pidof sshd-session); do grep -q "^PPid:[[:space:]]*$L$" /proc/$p/status && grep -h Cpus_allowed_list /proc/$p/status; done');
    expect(link.code, link.stderr).toBe(0);
    const linkPlaced = link.stdout.trim().split('\n').map((line) => line.split(/\s+/).pop());
    expect(linkPlaced).toEqual(emulated && cpus >= 2 ? ['0', '0'] : [expect.any(String), expect.any(String)]);
    const nproc = await docker(instance, ['run', '--rm', 'busybox:offline', 'nproc']);
    expect(nproc.code, nproc.stderr).toBe(0);
    expect(Number(nproc.stdout.trim())).toBe(cpus);
    const info = await docker(instance, ['info', '--format', '{{.NCPU}}']);
    expect(info.code, info.stderr).toBe(0);
    expect(Number(info.stdout.trim())).toBe(cpus);
  });
});
