import type Docker from 'dockerode';
import type { ContainerPorts, PublishedPort } from '../tunnel/ports';
import { refusal } from './client';
import type { EngineEvent } from './events';

/**
 * The guest's host addresses Berth forwards from. IPv6 is off in the guest, and a port published on
 * another guest address (10.0.2.15:8080:80) was asked to stay off loopback.
 */
const FORWARDED_HOST_IPS = new Set(['', '0.0.0.0', '127.0.0.1']);

/** Events after which a container may publish other ports than before. */
const PORT_EVENTS = new Set(['start', 'die', 'stop', 'kill', 'destroy', 'rename', 'unpause']);

/** The ports a container publishes in the guest, from its inspect answer: none unless it runs. */
export function publishedPorts(info: Docker.ContainerInspectInfo): PublishedPort[] {
  if (!info.State?.Running) return [];
  const found = new Map<string, PublishedPort>();
  for (const [key, bindings] of Object.entries(info.NetworkSettings?.Ports ?? {})) {
    const [containerPort, protocol] = key.split('/');
    // sctp has no forwarder.
    if (protocol !== 'tcp' && protocol !== 'udp') continue;
    for (const binding of bindings ?? []) {
      if (!FORWARDED_HOST_IPS.has(binding.HostIp ?? '')) continue;
      const hostPort = Number(binding.HostPort);
      if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65_535) continue;
      found.set(`${hostPort}/${protocol}`, { protocol, hostPort, containerPort: Number(containerPort) });
    }
  }
  return [...found.values()];
}

export interface PortSink {
  set(container: ContainerPorts): void;
}

/**
 * Follows the engine's events to tell the forwarder which ports each container publishes. A start is
 * looked up at once (no burst wait): the host port should listen within a second of it.
 */
export class PortWatch {
  private stopped = false;
  /** Containers being looked up, and those whose lookup must run again once it ends (an event came meanwhile). */
  private readonly looking = new Set<string>();
  private readonly again = new Set<string>();
  /** Containers last seen publishing ports: a resync looks at them even if they no longer run. */
  private readonly publishing = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly sink: PortSink,
    private readonly log: (line: string) => void,
  ) {}

  seen(event: EngineEvent): void {
    if (this.stopped || event.Type !== 'container' || !PORT_EVENTS.has(event.Action)) return;
    this.refresh(event.Actor.ID);
  }

  /** Looks at every running container again: events may have been missed while the stream was down. */
  async resync(): Promise<void> {
    try {
      const running = await this.docker.listContainers({ filters: { status: ['running'] } });
      for (const id of new Set([...running.map((info) => info.Id), ...this.publishing])) this.refresh(id);
    } catch (error) {
      this.log(`published ports: ${(error as Error).message}`);
    }
  }

  private refresh(id: string): void {
    if (this.stopped) return;
    if (this.looking.has(id)) return void this.again.add(id);
    this.looking.add(id);
    this.lookUp(id)
      .then(
        (container) => {
          if (this.stopped) return;
          if (container.ports.length) this.publishing.add(id);
          else this.publishing.delete(id);
          this.sink.set(container);
        },
        (error: Error) => this.log(`published ports of ${id.slice(0, 12)}: ${error.message}`),
      )
      .finally(() => {
        this.looking.delete(id);
        if (this.again.delete(id)) this.refresh(id);
      });
  }

  private async lookUp(id: string): Promise<ContainerPorts> {
    try {
      const info = await this.docker.getContainer(id).inspect();
      return { id: info.Id, name: info.Name.replace(/^\//, ''), ports: publishedPorts(info) };
    } catch (error) {
      if (refusal(error).status === 404) return { id, name: id.slice(0, 12), ports: [] };
      throw error;
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
