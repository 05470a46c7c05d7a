import type { WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import type Docker from 'dockerode';
import type { RegistrySettings } from '../api/registry';
import type { HomePaths } from '../home';
import type { NetworkMode, Settings } from '../settings/schema';
import type { SharedFolders } from '../settings/shares';
import type { SshLink } from '../tunnel/link';
import type { HostSocket, DockerListener } from '../tunnel/socket';
import type { LocatedImage } from '../vm/image';
import type { KeyPair } from '../vm/keys';
import { forgetMachine } from '../vm/leftover';
import type { GuestMachine } from '../vm/machine';

/**
 * What a start has opened so far, filled in as each piece opens (before its step returns): what the
 * teardown closes after a failure or a stop, and nothing else reads.
 */
export interface Held {
  consoleLog?: WriteStream;
  machine?: GuestMachine;
  link?: SshLink;
  socket?: HostSocket;
}

/** What every start begins with. */
export interface StartBase {
  paths: HomePaths;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** Aborted when a stop interrupts the start. */
  signal: AbortSignal;
  held: Held;
  /** Only for benchmarks: the host port forwarded to a dockerd TCP listener in the guest. */
  directDockerPort?: number;
  /** The Docker socket's listener while the engine was suspended, for the start's HostSocket to take over. */
  handover?: () => Promise<DockerListener | null>;
}

/** What a start has made once the engine runs, by either plan (a boot, or a take-over). */
export interface Started {
  settings: Settings;
  network: NetworkMode;
  shares: SharedFolders;
  /** The saved registry settings plus the docker CLI's certs.d, as the guest got them at its start. */
  registries: RegistrySettings;
  image: LocatedImage;
  keys: KeyPair;
  machine: GuestMachine;
  acceleratorReason: string;
  link: SshLink;
  socket: HostSocket;
  docker: Docker;
}

/** Closes what a start holds, the VM powered down if it still runs. */
export async function closeHeld({ held, paths, log }: StartBase): Promise<void> {
  const { socket, link, machine, consoleLog } = held;
  // Emptied first: a later teardown (the boot's second try, a stop) finds only what opened since.
  held.socket = held.link = held.machine = held.consoleLog = undefined;
  await socket?.close().catch(() => undefined);
  link?.close();
  if (machine?.running) {
    const how = await machine.powerdown();
    log(`vm powered down (${how})`);
  }
  forgetMachine(paths.machineRecord);
  consoleLog?.end();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
