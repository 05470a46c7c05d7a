import { z } from 'zod';

/**
 * What a container's security posture can show, in the order the list shows its badges. The ids are
 * stable: `berth posture --json` prints them, and scripts may test for them.
 */
export const FINDING_IDS = [
  'root',
  'privileged',
  'added-capabilities',
  'host-network',
  'host-pid',
  'host-ipc',
  'docker-socket',
  'writable-root',
  'no-memory-limit',
  'old-image',
] as const;

export const FindingId = z.enum(FINDING_IDS);
export type FindingId = z.infer<typeof FindingId>;

/** One finding about one container; `detail` says what in its configuration it comes from. */
export const PostureFinding = z.object({ id: FindingId, detail: z.string() });
export type PostureFinding = z.infer<typeof PostureFinding>;

/** An image older than this many days counts as not rebuilt lately. */
export const OLD_IMAGE_DAYS = 90;

interface FindingWords {
  /** The badge: a few words. */
  label: string;
  /** High: whatever runs in the container can take over the VM, or others' processes and network. */
  severity: 'high' | 'medium';
  /** Why it matters. */
  why: string;
  /** How to run the container without it. */
  avoid: string;
}

/** Each finding's badge and its explanation in the container's details. */
export const FINDING_WORDS: Record<FindingId, FindingWords> = {
  root: {
    label: 'Runs as root',
    severity: 'medium',
    why: "The container's processes run as root. Containers share the VM's kernel: a flaw in the kernel or in the container runtime lets root in a container become root in the VM, and a bound folder is written as root.",
    avoid: 'Set a USER in the Dockerfile, or run it with `--user 1000` (any non-zero uid the image can use).',
  },
  privileged: {
    label: 'Privileged',
    severity: 'high',
    why: 'A privileged container gets every capability, every device of the VM and no seccomp or AppArmor confinement: whatever runs in it controls the VM.',
    avoid: 'Drop `--privileged`; add only the capabilities (`--cap-add`) or devices (`--device`) it really needs.',
  },
  'added-capabilities': {
    label: 'Extra capabilities',
    severity: 'high',
    why: "Capabilities beyond Docker's default set (NET_ADMIN, SYS_ADMIN, ...) let root in the container do what only the kernel's administrator should: change the network, mount file systems, trace other processes.",
    avoid: 'Remove the `--cap-add` flags (or `cap_add` in compose) it can do without, and drop the rest of the defaults with `--cap-drop ALL` where you can.',
  },
  'host-network': {
    label: 'Host network',
    severity: 'high',
    why: "It uses the VM's own network stack: it sees every interface and can listen on any of the VM's ports, and no network isolation stands between it and the engine's other services.",
    avoid: 'Run it on a bridge network (the default) and publish only the ports it serves with `-p`.',
  },
  'host-pid': {
    label: 'Host PID',
    severity: 'high',
    why: "It shares the VM's process namespace: it sees every process of the VM and of other containers, and as root can signal or trace them.",
    avoid: 'Drop `--pid host` (or `pid: host` in compose).',
  },
  'host-ipc': {
    label: 'Host IPC',
    severity: 'high',
    why: "It shares the VM's IPC namespace: shared memory and message queues of the VM and of other containers using it are open to it.",
    avoid: 'Drop `--ipc host`; containers that must share memory can use `--ipc container:NAME` or `--ipc shareable`.',
  },
  'docker-socket': {
    label: 'Docker socket',
    severity: 'high',
    why: "The engine's socket is bound into it: whatever runs in it can start any container with any mount, privileged, and so owns the engine and the VM.",
    avoid: 'Bind the socket only into tools you trust to manage the engine, or give them a socket proxy that allows only the calls they need.',
  },
  'writable-root': {
    label: 'Writable root FS',
    severity: 'medium',
    why: "Its root file system is writable: an attacker who gets in can change the container's programs and keep a foothold there.",
    avoid: 'Run it with `--read-only` (or `read_only: true` in compose), with a volume or `--tmpfs` for the folders it writes to.',
  },
  'no-memory-limit': {
    label: 'No memory limit',
    severity: 'medium',
    why: "It may take all of the VM's memory: a leak or an attack on it starves the engine and every other container.",
    avoid: 'Set a limit with `--memory 512m` (or `mem_limit` / `deploy.resources.limits.memory` in compose), a little above what it uses.',
  },
  'old-image': {
    label: `Image over ${OLD_IMAGE_DAYS} days old`,
    severity: 'medium',
    why: `Its image was built more than ${OLD_IMAGE_DAYS} days ago: security fixes published since then in its base image and packages are not in it.`,
    avoid: 'Rebuild the image (`docker build --pull`) or pull a newer tag, then recreate the container from it.',
  },
};
