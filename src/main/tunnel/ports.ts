import type { ForwardedPort, PortProtocol } from '../api/engine';
import type { WireError } from '../api/errors';

/** A port a running container publishes in the guest, as Berth forwards it from the host. */
export interface PublishedPort {
  protocol: PortProtocol;
  /** The port dockerd publishes in the guest; the host listens on the same number. */
  hostPort: number;
  containerPort: number;
}

export interface ContainerPorts {
  id: string;
  name: string;
  ports: PublishedPort[];
}

/** A listener on the host for one published port; `open` rejects with the system's error (EADDRINUSE, EACCES). */
export interface Forward {
  open(): Promise<void>;
  close(): void;
}

export type OpenForward = (protocol: PortProtocol, address: string, port: number) => Forward;

interface Entry {
  owner: ContainerPorts;
  port: PublishedPort;
  forward: Forward;
  state: 'opening' | 'forwarded' | 'failed';
  error?: WireError;
}

const keyOf = (protocol: PortProtocol, hostPort: number): string => `${hostPort}/${protocol}`;

/** Why a host port could not be opened, said so a user can act on it. */
export function portError(error: unknown, address: string, port: number, containerPort: number, protocol: PortProtocol): WireError {
  const code = (error as NodeJS.ErrnoException).code;
  const other = `publish a different host port (-p OTHER:${containerPort}${protocol === 'udp' ? '/udp' : ''})`;
  if (code === 'EADDRINUSE') {
    return {
      name: 'PortInUse',
      message: `Port ${port}/${protocol} on ${address} is in use by another program.`,
      hint: `Stop that program or ${other}.`,
    };
  }
  if (code === 'EACCES') {
    return {
      name: 'PortNotPermitted',
      message: `Port ${port}/${protocol} on ${address} needs privileges Berth does not have.`,
      hint: `Ports below 1024 need administrator rights on this system: ${other}.`,
    };
  }
  if (code === 'EADDRNOTAVAIL') {
    return {
      name: 'PortAddressUnavailable',
      message: `${address} is not an address of this computer, so port ${port}/${protocol} cannot listen there.`,
      hint: 'Set "bindAddress" under "ports" in the settings to an address this computer has (127.0.0.1 by default).',
    };
  }
  return {
    name: 'PortNotForwarded',
    message: `Port ${port}/${protocol} on ${address} could not be opened: ${(error as Error).message ?? String(error)}`,
    hint: `Try again after restarting the container, or ${other}.`,
  };
}

/**
 * Keeps one host listener per published port of the running containers. It is told each container's
 * ports as they change and opens or closes listeners to match; a port the host cannot open is kept with
 * its reason, and never stops the container.
 */
export class PortForwarder {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly bindAddress: string,
    private readonly openForward: OpenForward,
    private readonly changed: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** The ports `container` publishes now (none once it stopped). */
  set(container: ContainerPorts): void {
    if (this.closed) return;
    const wanted = new Map(container.ports.map((port) => [keyOf(port.protocol, port.hostPort), port]));
    let touched = false;
    for (const [key, entry] of this.entries) {
      if (entry.owner.id !== container.id || wanted.has(key)) continue;
      this.drop(key, entry);
      touched = true;
    }
    for (const [key, port] of wanted) {
      const entry = this.entries.get(key);
      if (entry?.owner.id === container.id) continue;
      // The engine gives a host port to one container at a time: the other one has stopped, and its stop is still on the way.
      if (entry) this.drop(key, entry);
      this.add(key, container, port);
      touched = true;
    }
    if (touched) this.changed();
  }

  /** Every container's ports at once (after a start or reconnect): a container not named has none. */
  setAll(containers: ContainerPorts[]): void {
    const named = new Set(containers.map((container) => container.id));
    for (const id of new Set([...this.entries.values()].map((entry) => entry.owner.id))) {
      if (!named.has(id)) this.set({ id, name: id, ports: [] });
    }
    for (const container of containers) this.set(container);
  }

  private add(key: string, owner: ContainerPorts, port: PublishedPort): void {
    const forward = this.openForward(port.protocol, this.bindAddress, port.hostPort);
    const entry: Entry = { owner, port, forward, state: 'opening' };
    this.entries.set(key, entry);
    forward.open().then(
      () => {
        if (this.entries.get(key) !== entry) return;
        entry.state = 'forwarded';
        this.log(`forwarding ${this.bindAddress}:${key} to ${owner.name}`);
        this.changed();
      },
      (error: unknown) => {
        forward.close();
        if (this.entries.get(key) !== entry) return;
        entry.state = 'failed';
        entry.error = portError(error, this.bindAddress, port.hostPort, port.containerPort, port.protocol);
        this.log(`${owner.name}: ${entry.error.message}`);
        this.changed();
      },
    );
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    entry.forward.close();
    if (entry.state === 'forwarded') this.log(`stopped forwarding ${this.bindAddress}:${key}`);
  }

  /** The ports whose listener has opened or failed, for the status. */
  status(): ForwardedPort[] {
    const settled = [...this.entries.values()].filter((entry) => entry.state !== 'opening');
    return settled
      .map((entry) => ({
        containerId: entry.owner.id,
        container: entry.owner.name,
        protocol: entry.port.protocol,
        hostIp: this.bindAddress,
        hostPort: entry.port.hostPort,
        containerPort: entry.port.containerPort,
        state: entry.state as 'forwarded' | 'failed',
        ...(entry.error ? { error: entry.error } : {}),
      }))
      .sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol));
  }

  close(): void {
    this.closed = true;
    for (const [key, entry] of this.entries) this.drop(key, entry);
  }
}
